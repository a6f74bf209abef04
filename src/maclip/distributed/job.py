"""``score_dataset``: a Ray Data pipeline that scores images across a cluster.

The pipeline (each arrow a Ray Data stage, all streaming)::

    inputs (paths, or Parquet/CSV rows with a path or bytes column)
      -> drop keys already in the output (resume)
      -> decode_batch       tasks (a quarter CPU each; a whole one beside GPU actors),
                            images grouped to at most two encoder batches of views
      -> ScoreActor         actor pool, one Scorer each, CPUs/GPUs from plan_workers
      -> write_shard        tasks: one Parquet shard per rows_per_file rows
      -> the driver counts rows and failures as shards land

Ray is imported inside the functions, so importing :mod:`maclip.distributed` needs
neither Ray nor pyarrow.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..backbone import BackboneError
from ..images import DEFAULT_MAX_PIXELS
from ..inputs import gather_inputs
from ..views import ViewConfig
from .plan import (
    TASK_CPUS,
    WorkerPlan,
    decode_rows,
    images_per_call,
    plan_workers,
    view_budget,
)

if TYPE_CHECKING:
    import ray.data

#: Table files read as tables (a column of paths or bytes) rather than as images.
TABLE_SUFFIXES = (".parquet", ".csv")
#: Default rows per output shard.
ROWS_PER_FILE = 10_000


class RayMissingError(ImportError):
    """Ray Data (the ``ray`` extra) is not installed."""


@dataclass(frozen=True)
class JobSummary:
    """What a :func:`score_dataset` run did.

    Attributes:
        output: The output folder or URI.
        written: Rows written by this run (scored images plus failed ones).
        failed: Rows of this run with ``error`` set.
        skipped: Inputs skipped because their key was already in the output (resume;
            for tables, the number of keys that were in the output).
        plan: The scoring actor pool used.
    """

    output: str
    written: int
    failed: int
    skipped: int
    plan: WorkerPlan


@dataclass(frozen=True)
class _Source:
    """The input dataset, its key and image columns, and how many inputs (when known)."""

    dataset: Any  # a ray.data.Dataset, or None when nothing is left to score
    key_column: str
    source_column: str
    skipped: int
    total: int | None = None


def import_ray() -> Any:
    """``ray`` with Ray Data, or :class:`RayMissingError` saying how to install it."""
    try:
        import pyarrow  # noqa: F401
        import ray
        import ray.data  # noqa: F401
    except ImportError as err:
        raise RayMissingError(
            f"the Ray engine needs Ray Data and pyarrow ({err}); "
            "install them with: pip install 'maclip[ray]'"
        ) from err
    return ray


def _is_table(path: str) -> bool:
    return path.lower().endswith(TABLE_SUFFIXES)


def _table_source(
    dataset: ray.data.Dataset, path_column: str, bytes_column: str, key_column: str | None
) -> tuple[str, str]:
    """``(key column, source column)`` of a table with a path or a bytes column."""
    names = dataset.schema().names
    if bytes_column in names:
        key = key_column or (path_column if path_column in names else None)
        if key is None:
            raise ValueError(
                f"a table of image bytes needs a key column: name one with key_column "
                f"(--key-column); columns are {', '.join(names)}"
            )
        source = bytes_column
    elif path_column in names:
        key, source = key_column or path_column, path_column
    else:
        raise ValueError(
            f"the table has no {path_column!r} (paths) or {bytes_column!r} (image bytes) "
            f"column; columns are {', '.join(names)}"
        )
    if key not in names:
        raise ValueError(f"the table has no key column {key!r}; columns are {', '.join(names)}")
    return key, source


def _source(
    ray: Any,
    inputs: Any,
    done: Any,
    *,
    recursive: bool,
    path_column: str,
    bytes_column: str,
    key_column: str | None,
) -> _Source:
    """The input dataset, without the keys in ``done`` (a pyarrow string array)."""
    from .stages import drop_done

    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    if not isinstance(inputs, ray.data.Dataset):
        names = [os.fspath(p) for p in inputs]
        tables = [n for n in names if _is_table(n)]
        if tables and len(tables) != len(names):
            raise ValueError("give either images (files, folders, lists) or tables, not both")
        if not tables:
            paths = gather_inputs(names, recursive=recursive)
            scored = set(done.to_pylist())
            todo = [p for p in paths if p not in scored]
            items = [{"key": p, "path": os.path.abspath(p)} for p in todo]
            dataset = ray.data.from_items(items) if items else None
            return _Source(dataset, "key", "path", len(paths) - len(todo), len(todo))
        if all(n.lower().endswith(".csv") for n in tables):
            inputs = ray.data.read_csv(tables)
        elif all(n.lower().endswith(".parquet") for n in tables):
            inputs = ray.data.read_parquet(tables)
        else:
            raise ValueError("give tables of one kind: all Parquet or all CSV")
    key, source = _table_source(inputs, path_column, bytes_column, key_column)
    if len(done):
        inputs = inputs.map_batches(
            drop_done,
            batch_format="pyarrow",
            num_cpus=TASK_CPUS,
            fn_kwargs={"key_column": key, "done": done},
        )
    return _Source(inputs, key, source, len(done))


def _quiet_ray_data(ray: Any) -> None:
    """Keep Ray Data's own progress bars and log lines off the terminal (errors still show)."""
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False


def _model_error(err: BaseException) -> BackboneError | None:
    """The :class:`BackboneError` an actor died of, recovered from Ray's error text.

    Ray reports an actor whose constructor raised as ``ActorDiedError`` carrying only
    the formatted traceback, so the model's one-line message is read back from it.
    """
    found = re.findall(r"maclip\.backbone\.BackboneError: ([^\n]+)", str(err))
    return BackboneError(found[-1].strip()) if found else None


def score_dataset(
    inputs: Any,
    output: str | os.PathLike[str],
    *,
    scorer_options: Mapping[str, Any] | None = None,
    recursive: bool = False,
    path_column: str = "path",
    bytes_column: str = "bytes",
    key_column: str | None = None,
    resume: bool = False,
    actors: int | None = None,
    gpus_per_actor: float | None = None,
    cpus_per_actor: float | None = None,
    rows_per_file: int = ROWS_PER_FILE,
    address: str | None = None,
    on_shard: Callable[[int, list[str]], None] | None = None,
) -> JobSummary:
    """Score images on a Ray cluster into a folder of Parquet shards.

    Each output row is ``key, q, q_sim, q_mag, w_sim, w_mag, error`` (scores null and
    ``error`` set for an image that could not be scored); the scores equal those of
    :meth:`maclip.Scorer.score` with the same ``scorer_options``.

    Args:
        inputs: Image files, folders (``recursive`` descends), glob patterns and
            ``.txt`` lists (as ``maclip score``; the key is the path as given), or
            ``.parquet``/``.csv`` tables, or a ``ray.data.Dataset``; a table has a
            ``path_column`` of paths readable on every node or a ``bytes_column`` of
            encoded images, and its keys come from ``key_column`` (default: the paths).
        output: Folder (or URI such as ``s3://bucket/scores``) for the shards.
        scorer_options: Keyword arguments of :class:`maclip.Scorer` (picklable; each
            actor loads its own model from them).
        resume: Skip inputs whose key is already in ``output``. Without it, an output
            that already holds shards is refused.
        actors, gpus_per_actor, cpus_per_actor: The scoring actor pool (see
            :func:`~maclip.distributed.plan.plan_workers`; default: fill the cluster).
        rows_per_file: Rows per output shard (fewer at the end of the job).
        address: Ray cluster to join (``"auto"``, ``"ray://host:10001"``); ``None``
            uses the running Ray instance or starts a local one.
        on_shard: Called as each shard is written with its number of rows and the
            ``"key: reason"`` of its failed images.

    Raises:
        RayMissingError: Ray Data is not installed.
        FileExistsError: ``output`` holds shards and ``resume`` is false.
        ValueError: inputs or options that cannot work (message says why).
        maclip.BackboneError: the model cannot be loaded on the actors.
    """
    ray = import_ray()
    import pyarrow as pa

    from .output import scored_keys, shard_paths
    from .stages import ScoreActor, decode_batch, write_shard

    if rows_per_file < 1:
        raise ValueError("rows_per_file must be at least 1")
    options = dict(scorer_options or {})
    views = options.get("views") or ViewConfig()
    target = os.fspath(output)
    if not resume and shard_paths(target):
        raise FileExistsError(
            f"{target} already holds scores; resume to add the missing ones, "
            "or choose another output"
        )
    done = scored_keys(target) if resume else pa.array([], type=pa.string())
    if not ray.is_initialized():
        ray.init(address=address, logging_level=logging.WARNING)
    _quiet_ray_data(ray)
    plan = plan_workers(
        ray.cluster_resources(),
        actors=actors,
        gpus_per_actor=gpus_per_actor,
        cpus_per_actor=cpus_per_actor,
    )
    source = _source(
        ray,
        inputs,
        done,
        recursive=recursive,
        path_column=path_column,
        bytes_column=bytes_column,
        key_column=key_column,
    )
    if source.dataset is None:
        return JobSummary(target, 0, 0, source.skipped, plan)
    batch_size = options.get("batch_size", 64)
    decoded = source.dataset.map_batches(
        decode_batch,
        batch_format="pyarrow",
        batch_size=decode_rows(images_per_call(batch_size, views), plan.actors, source.total),
        num_cpus=plan.task_cpus,
        fn_kwargs={
            "source_column": source.source_column,
            "key_column": source.key_column,
            "views": views,
            "budget": view_budget(batch_size),
            "max_pixels": options.get("max_pixels", DEFAULT_MAX_PIXELS),
        },
    )
    scored = decoded.map_batches(
        ScoreActor,
        batch_format="pyarrow",
        batch_size=1,  # one group of images, at most the view budget
        compute=ray.data.ActorPoolStrategy(size=plan.actors),
        num_cpus=plan.cpus,
        num_gpus=plan.gpus or None,
        fn_constructor_kwargs={"scorer_options": options, "threads": plan.threads},
    )
    written = scored.map_batches(
        write_shard,
        batch_format="pyarrow",
        batch_size=rows_per_file,
        num_cpus=plan.task_cpus,
        fn_kwargs={"output": target},
    )
    rows = failed = 0
    try:
        for shard in written.iter_batches(batch_format="pyarrow", batch_size=None):
            for n, errors in zip(
                shard["rows"].to_pylist(), shard["errors"].to_pylist(), strict=True
            ):
                rows, failed = rows + n, failed + len(errors)
                if on_shard is not None:
                    on_shard(n, errors)
    except Exception as err:
        model_error = _model_error(err)
        if model_error is None:
            raise
        raise model_error from err
    return JobSummary(target, rows, failed, source.skipped, plan)
