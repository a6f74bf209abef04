"""Sizing a Ray job: how many scoring actors, with which resources, fed how many images.

Pure functions of the cluster's resources and the scorer's settings, so they can be
tested without Ray. A scoring actor holds one model; decode and write tasks need a
little CPU too, so on a CPU-only cluster the actors leave :data:`TASK_RESERVE_CPUS`
free, or the job could wait forever for a CPU to decode on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..views import ViewConfig, count_views

#: CPUs a decode or write task asks Ray for on a CPU-only cluster (several share a core).
TASK_CPUS = 0.25
#: CPUs kept free of scoring actors on a CPU-only cluster: room for two decode tasks.
TASK_RESERVE_CPUS = 2 * TASK_CPUS


@dataclass(frozen=True)
class WorkerPlan:
    """The scoring actor pool.

    Attributes:
        actors: Number of scoring actors (one model each).
        cpus: Logical CPUs each actor asks Ray for.
        gpus: GPUs each actor asks Ray for (fractional: several actors share a GPU).
        threads: Torch threads an actor uses (``>= 1``).
        task_cpus: CPUs each decode or write task asks for: a whole one when GPUs score
            (decoding is then the CPUs' only work), else :data:`TASK_CPUS`.
    """

    actors: int
    cpus: float
    gpus: float
    threads: int
    task_cpus: float = TASK_CPUS


def plan_workers(
    resources: Mapping[str, float],
    *,
    actors: int | None = None,
    gpus_per_actor: float | None = None,
    cpus_per_actor: float | None = None,
) -> WorkerPlan:
    """Size the actor pool for a cluster.

    Args:
        resources: The cluster's resources, as ``ray.cluster_resources()`` gives them
            (``"CPU"``, ``"GPU"``).
        actors: Number of actors; ``None`` fills the cluster (one per GPU share, or
            one per CPU left after the task reserve).
        gpus_per_actor: GPUs per actor, e.g. ``0.5`` for two models per GPU; ``None``
            uses one GPU per actor when the cluster has GPUs, ``0`` runs on CPUs.
        cpus_per_actor: CPUs per actor; ``None``: 1 with GPUs, else 1 (or less, when
            ``actors`` would not leave the task reserve free).

    Raises:
        ValueError: impossible requests (no GPU in the cluster, non-positive sizes).
    """
    cpus = float(resources.get("CPU", 0.0))
    gpus_total = float(resources.get("GPU", 0.0))
    if actors is not None and actors < 1:
        raise ValueError("the number of actors must be at least 1")
    if cpus_per_actor is not None and cpus_per_actor <= 0:
        raise ValueError("cpus per actor must be positive")
    gpus = (1.0 if gpus_total > 0 else 0.0) if gpus_per_actor is None else float(gpus_per_actor)
    if gpus < 0:
        raise ValueError("gpus per actor must be 0 or more")
    if gpus > 0:
        if gpus_total <= 0:
            raise ValueError("GPUs were asked for but the Ray cluster has none")
        count = actors or max(1, math.floor(gpus_total / gpus + 1e-9))
        per_cpu = 1.0 if cpus_per_actor is None else cpus_per_actor
        return WorkerPlan(count, per_cpu, gpus, max(1, round(per_cpu)), task_cpus=1.0)
    free = max(cpus - TASK_RESERVE_CPUS, TASK_CPUS)
    per_cpu = 1.0 if cpus_per_actor is None else cpus_per_actor
    count = actors or max(1, math.floor(free / per_cpu + 1e-9))
    if cpus_per_actor is None and count * per_cpu > free:
        per_cpu = free / count
    return WorkerPlan(count, per_cpu, 0.0, max(1, round(per_cpu)))


def view_budget(batch_size: int) -> int:
    """Views handed to a scoring actor at a time: two encoder batches of ``batch_size``."""
    return 2 * batch_size


def images_per_call(batch_size: int, views: ViewConfig) -> int:
    """Most images that fit the view budget: that many of the smallest (fewest views).

    A decode task reads this many inputs at a time, so that it can fill at least one
    group (see :func:`group_by_views`) even when every image is small.
    """
    side = views.pre_resize or (views.min_side, views.min_side)
    fewest = count_views(side[0], side[1], views)
    return max(1, math.ceil(view_budget(batch_size) / fewest))


def decode_rows(per_call: int, actors: int, total: int | None = None) -> int:
    """Inputs a decode task reads at a time.

    :func:`images_per_call` of them, or fewer when the job is known to be small
    (``total`` inputs), so that every actor gets about four decode outputs to score.
    """
    if total is None:
        return per_call
    return max(1, min(per_call, math.ceil(total / (4 * actors))))


def group_by_views(counts: Sequence[int], budget: int) -> list[slice]:
    """Cut consecutive images into groups of at most ``budget`` views.

    Args:
        counts: Views of each image (``0`` for one that failed to decode).
        budget: Views per group; an image with more views than this is a group alone.

    Returns:
        Slices of ``counts`` covering it in order, none empty.
    """
    groups, start, filled = [], 0, 0
    for index, count in enumerate(counts):
        if index > start and filled + count > budget:
            groups.append(slice(start, index))
            start, filled = index, 0
        filled += count
    if start < len(counts):
        groups.append(slice(start, len(counts)))
    return groups
