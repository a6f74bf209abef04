"""The Ray Data stages of a scoring job: decode (tasks), score (actors), write (tasks).

Every stage takes and returns :class:`pyarrow.Table` batches:

* :func:`decode_batch`: ``key`` + a path or bytes column -> :data:`DECODED` rows, each
  a group of images holding at most the view budget (two encoder batches): every
  decoded ``(H, W, 3)`` image as raw bytes (``uint8`` when that is exact, else
  ``float32``), or the reason it could not be decoded;
* :class:`ScoreActor`: one group at a time -> :data:`RESULTS` rows, one per image, one
  :class:`~maclip.Scorer` per actor;
* :func:`write_shard`: result rows -> one Parquet shard, returning a one-row summary.

A bad input becomes a row with ``error`` set at whichever stage it fails, never an
exception that would stop the job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import torch

from ..images import DEFAULT_MAX_PIXELS, ImageError, load_image
from ..results import SCORE_FIELDS, ImageResult
from ..scorer import Scorer
from ..views import ViewConfig, count_views
from .output import write_table
from .plan import group_by_views

#: Decoded images travelling from decode tasks to scoring actors: one row per group of
#: images, each field a list with one entry per image.
DECODED = pa.schema(
    [
        ("key", pa.list_(pa.string())),
        ("pixels", pa.list_(pa.large_binary())),
        ("dtype", pa.list_(pa.string())),
        ("height", pa.list_(pa.int32())),
        ("width", pa.list_(pa.int32())),
        ("error", pa.list_(pa.string())),
    ]
)

#: One output row per image: scores are null (and ``error`` set) when it failed.
RESULTS = pa.schema(
    [("key", pa.string())]
    + [(name, pa.float64()) for name in SCORE_FIELDS]
    + [("error", pa.string())]
)

#: What a write task reports back: rows written and ``"key: reason"`` of the failed ones.
SUMMARY = pa.schema([("rows", pa.int64()), ("errors", pa.list_(pa.string()))])


def encode_pixels(image: torch.Tensor) -> tuple[bytes, str, int, int]:
    """Pack a decoded ``(3, H, W)`` float image in [0, 1] for transport.

    Returns ``(raw bytes of an (H, W, 3) array, dtype name, H, W)``. 8-bit images travel
    as ``uint8`` (4x smaller), which :class:`~maclip.Scorer` turns back into exactly the
    same floats (``k / 255`` in float32); anything else (16-bit, float) as ``float32``.
    """
    array = image.permute(1, 2, 0).contiguous().numpy()
    as_bytes = np.rint(array * 255.0).astype(np.uint8)
    if np.array_equal(as_bytes.astype(np.float32) / 255.0, array):
        return as_bytes.tobytes(), "uint8", array.shape[0], array.shape[1]
    return array.astype(np.float32).tobytes(), "float32", array.shape[0], array.shape[1]


def decode_pixels(pixels: bytes, dtype: str, height: int, width: int) -> np.ndarray:
    """The ``(H, W, 3)`` array :func:`encode_pixels` packed."""
    return np.frombuffer(pixels, dtype=np.dtype(dtype)).reshape(height, width, 3)


def decode_batch(
    batch: pa.Table,
    source_column: str,
    key_column: str,
    views: ViewConfig,
    budget: int,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> pa.Table:
    """Decode each row's image (a path readable on this node, or encoded bytes).

    Returns a :data:`DECODED` table: the input rows in order, cut into groups of at
    most ``budget`` views (counted with ``views``), one group per row.
    """
    rows: dict[str, list[Any]] = {name: [] for name in DECODED.names}
    counts = []
    keys = batch.column(key_column).to_pylist()
    for key, source in zip(keys, batch.column(source_column).to_pylist(), strict=True):
        packed: tuple[Any, ...] = (None, None, None, None)
        error = None
        if source is None:
            error = "no path or bytes in this row"
        else:
            try:
                packed = encode_pixels(load_image(source, max_pixels))
            except ImageError as err:
                error = err.reason
            except (RuntimeError, MemoryError) as err:
                error = f"cannot decode image ({type(err).__name__}: {err})"
        for name, value in zip(DECODED.names, (str(key), *packed, error), strict=True):
            rows[name].append(value)
        counts.append(0 if error else count_views(packed[2], packed[3], views))
    groups = group_by_views(counts, budget)
    return pa.table({k: [v[g] for g in groups] for k, v in rows.items()}, schema=DECODED)


def result_rows(results: list[ImageResult]) -> pa.Table:
    """A :data:`RESULTS` table of scorer results (scores null where ``error`` is set)."""
    columns: dict[str, list[Any]] = {"key": [r.key for r in results]}
    for name in SCORE_FIELDS:
        columns[name] = [None if r.error else getattr(r, name) for r in results]
    columns["error"] = [r.error for r in results]
    return pa.table(columns, schema=RESULTS)


class ScoreActor:
    """Scores decoded images; Ray Data runs one per actor, each with its own model.

    Args:
        scorer_options: Keyword arguments of :class:`~maclip.Scorer` (picklable: the
            model is loaded in the actor, e.g. from ``checkpoint``/``model_config``).
        threads: Torch threads this actor may use.
    """

    def __init__(self, scorer_options: Mapping[str, Any], threads: int = 1) -> None:
        torch.set_num_threads(threads)
        self.scorer = Scorer(**scorer_options)
        self.scorer.workers = 0  # decoding already happened in the decode tasks

    def __call__(self, batch: pa.Table) -> pa.Table:
        groups = batch.to_pydict()
        rows = [
            dict(zip(groups, image, strict=True))
            for group in zip(*groups.values(), strict=True)
            for image in zip(*group, strict=True)
        ]
        good = [row for row in rows if row["error"] is None]
        arrays = [decode_pixels(r["pixels"], r["dtype"], r["height"], r["width"]) for r in good]
        scored = iter(self.scorer.score(arrays))
        results = []
        for row in rows:
            if row["error"] is not None:
                results.append(ImageResult.failed(row["key"], row["error"]))
            else:
                result = next(scored)
                result.key = row["key"]
                results.append(result)
        return result_rows(results)


def drop_done(batch: pa.Table, key_column: str, done: pa.Array) -> pa.Table:
    """The rows of ``batch`` whose key is not in ``done`` (already scored)."""
    keys = pc.cast(batch.column(key_column), pa.string())
    return batch.filter(pc.invert(pc.is_in(keys, value_set=done)))


def write_shard(batch: pa.Table, output: str) -> pa.Table:
    """Write a :data:`RESULTS` batch as one new Parquet shard of ``output``; a :data:`SUMMARY`."""
    write_table(batch, output)
    failed = batch.filter(pc.is_valid(batch.column("error")))
    errors = [
        f"{k}: {e}"
        for k, e in zip(failed["key"].to_pylist(), failed["error"].to_pylist(), strict=True)
    ]
    return pa.table({"rows": [batch.num_rows], "errors": [errors]}, schema=SUMMARY)
