"""Scoring on a Ray cluster with Ray Data (needs the ``ray`` extra: ``pip install 'maclip[ray]'``).

:func:`score_dataset` reads images (paths, folders, or Parquet/CSV tables with a
path or bytes column), decodes them in Ray tasks, scores them in a pool of actors
that each hold one :class:`~maclip.Scorer`, and writes Parquet shards (one row per
image: ``key, q, q_sim, q_mag, w_sim, w_mag, error``) as it goes; ``resume=True``
skips keys already written. ``maclip score --engine ray`` is the command-line form.

Importing this package needs neither Ray nor pyarrow; they are imported when a job runs.
"""

from .job import JobSummary, RayMissingError, score_dataset
from .plan import WorkerPlan, group_by_views, images_per_call, plan_workers

__all__ = [
    "JobSummary",
    "RayMissingError",
    "WorkerPlan",
    "group_by_views",
    "images_per_call",
    "plan_workers",
    "score_dataset",
]
