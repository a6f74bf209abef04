"""Dynamic micro-batching: concurrent requests share encoder batches.

Requests put their images on a bounded :class:`asyncio.Queue`. One worker task
takes the first waiting image, gathers the others that arrive within a short
window (``batch_window_s`` after the first was queued, up to
``max_batch_images``), and scores them all in one call on a dedicated model thread, so
the event loop never waits for the model. The scorer packs the views of every
image of the batch into full encoder forwards, so under load the service runs
the same large batches as :meth:`maclip.Scorer.score`. Images that ask for
different methods or fusion settings still share the encoder work: only the
cheap per-image maths (:func:`maclip.quality.score_views`) differs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..images import ImageError
from ..quality import FusionParams, Method, score_views
from ..results import ImageResult
from ..scorer import Scorer

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One image waiting for the model.

    Attributes:
        name: The upload's name (a label).
        data: Encoded image bytes.
        method, fusion: How this image is scored.
        future: Resolved with a :class:`Scored` (or the batch's exception).
        queued_at: ``time.perf_counter()`` when the job was queued, seconds.
    """

    name: str
    data: bytes
    method: Method
    fusion: FusionParams
    future: asyncio.Future[Scored]
    queued_at: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class Scored:
    """A job's result and how it was served.

    Attributes:
        result: The image's :class:`~maclip.results.ImageResult` (``error`` set on failure).
        queued_ms: Time from queueing to the start of its batch, milliseconds.
        batch_ms: Time the whole batch took on the model thread, milliseconds.
        batch_images: Number of images in that batch (this one included).
    """

    result: ImageResult
    queued_ms: float
    batch_ms: float
    batch_images: int

    def timing(self) -> dict[str, float | int]:
        """JSON form: queued_ms, batch_ms, batch_images."""
        return {
            "queued_ms": round(self.queued_ms, 3),
            "batch_ms": round(self.batch_ms, 3),
            "batch_images": self.batch_images,
        }


#: Scores a batch of jobs on a worker thread: one result per job, in order.
ScoreFn = Callable[[Sequence[Job]], list[ImageResult]]


def score_jobs(scorer: Scorer, jobs: Sequence[Job]) -> list[ImageResult]:
    """Encode all jobs' views together, then score each job with its own parameters.

    Views of every image are packed into shared encoder forwards by
    :meth:`Scorer.iter_features`; a job that cannot be decoded gets a failed result.
    """
    results = []
    features = scorer.iter_features(job.data for job in jobs)
    for job, item in zip(jobs, features, strict=True):
        if isinstance(item, ImageError):
            results.append(ImageResult.failed(job.name, item.reason))
            continue
        scores = score_views(
            item.features, scorer.text_features, scorer.backbone.logit_scale, job.method, job.fusion
        )
        results.append(
            ImageResult.from_scores(
                job.name, scores, item.boxes, scorer.prompts, item.size, item.prepared_size
            )
        )
    return results


class QueueFull(Exception):
    """The queue has no room for a request's images."""


@dataclass
class BatchStats:
    """Counters since start: batches run, images and views scored, model time."""

    batches: int = 0
    images: int = 0
    views: int = 0
    largest_batch: int = 0
    busy_s: float = 0.0

    def add(self, results: Sequence[ImageResult], seconds: float) -> None:
        """Count one finished batch."""
        self.batches += 1
        self.images += len(results)
        self.views += sum(r.num_views for r in results)
        self.largest_batch = max(self.largest_batch, len(results))
        self.busy_s += seconds


class MicroBatcher:
    """Collects jobs from concurrent requests and scores them in shared batches.

    Args:
        score_fn: Scores a batch on a worker thread (:func:`score_jobs` bound to a scorer).
        window_s: Wait after the first queued job for others, seconds.
        max_batch: Most jobs per batch.
        queue_size: Most jobs waiting; :meth:`submit` raises :class:`QueueFull` beyond.
    """

    def __init__(self, score_fn: ScoreFn, window_s: float, max_batch: int, queue_size: int):
        self.score_fn = score_fn
        self.window_s = window_s
        self.max_batch = max_batch
        self.stats = BatchStats()
        self._queue: asyncio.Queue[Job] = asyncio.Queue(maxsize=queue_size)
        self._worker: asyncio.Task[None] | None = None
        # One long-lived model thread: batches never run at once, and memory stays in one arena.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maclip-model")

    @property
    def queued(self) -> int:
        """Jobs waiting for a batch now."""
        return self._queue.qsize()

    def start(self) -> None:
        """Start the worker task on the running event loop."""
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop the worker; jobs still queued are cancelled."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while not self._queue.empty():
            self._queue.get_nowait().future.cancel()
        self._thread.shutdown(wait=False)

    def submit(
        self, items: Sequence[tuple[str, bytes]], method: Method, fusion: FusionParams
    ) -> list[asyncio.Future[Scored]]:
        """Queue ``(name, data)`` images, all or none; returns one future per image.

        Raises:
            QueueFull: when the queue cannot take them all.
        """
        if self._queue.maxsize - self._queue.qsize() < len(items):
            raise QueueFull
        loop = asyncio.get_running_loop()
        jobs = [Job(name, data, method, fusion, loop.create_future()) for name, data in items]
        for job in jobs:
            self._queue.put_nowait(job)
        return [job.future for job in jobs]

    async def _collect(self) -> list[Job]:
        """The next batch: the first job, plus those arriving within its window."""
        first = await self._queue.get()
        batch = [first]
        deadline = first.queued_at + self.window_s
        while len(batch) < self.max_batch:
            if not self._queue.empty():
                batch.append(self._queue.get_nowait())
                continue
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._queue.get(), remaining))
            except asyncio.TimeoutError:  # not the builtin before Python 3.11
                break
        return [job for job in batch if not job.future.done()]  # drop cancelled requests

    async def _run(self) -> None:
        while True:
            jobs = await self._collect()
            if not jobs:
                continue
            start = time.perf_counter()
            try:
                loop = asyncio.get_running_loop()
                results = await loop.run_in_executor(self._thread, self.score_fn, jobs)
            except Exception as err:  # noqa: BLE001 - fail this batch's requests, keep serving
                log.exception("scoring a batch of %d images failed", len(jobs))
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(err)
                continue
            seconds = time.perf_counter() - start
            self.stats.add(results, seconds)
            for job, result in zip(jobs, results, strict=True):
                if not job.future.done():
                    queued_ms = (start - job.queued_at) * 1000
                    job.future.set_result(Scored(result, queued_ms, seconds * 1000, len(jobs)))

    def info(self) -> dict[str, Any]:
        """Settings and counters for ``/v1/info``."""
        stats = self.stats
        return {
            "window_ms": self.window_s * 1000,
            "max_batch_images": self.max_batch,
            "queue_size": self._queue.maxsize,
            "queued": self.queued,
            "batches": stats.batches,
            "images": stats.images,
            "views": stats.views,
            "largest_batch": stats.largest_batch,
            "mean_batch": round(stats.images / stats.batches, 3) if stats.batches else 0.0,
            "busy_s": round(stats.busy_s, 3),
        }
