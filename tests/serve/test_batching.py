"""The micro-batcher in process: combining, the bounded queue (503) and failing batches."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Sequence

import pytest
from PIL import Image

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install -e '.[serve]'")
import httpx  # noqa: E402

from maclip import FusionParams, ImageResult, Scorer  # noqa: E402
from maclip.quality import Method  # noqa: E402
from maclip.serve.app import create_app  # noqa: E402
from maclip.serve.batching import Job, MicroBatcher, QueueFull, score_jobs  # noqa: E402
from maclip.serve.limits import ServeSettings  # noqa: E402

from ..conftest import TinyModel, random_photo  # noqa: E402


def png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(random_photo(224, 224, seed)).save(buffer, format="PNG")
    return buffer.getvalue()


class Gate:
    """A batch scorer that blocks until opened and records each batch's size."""

    def __init__(self, scorer: Scorer | None = None, fail_first: bool = False) -> None:
        self.scorer = scorer
        self.fail_first = fail_first
        self.opened = threading.Event()
        self.entered = threading.Event()
        self.sizes: list[int] = []

    def __call__(self, jobs: Sequence[Job]) -> list[ImageResult]:
        self.entered.set()
        self.opened.wait(timeout=30)
        self.sizes.append(len(jobs))
        if self.fail_first and len(self.sizes) == 1:
            raise RuntimeError("out of memory")
        if self.scorer is not None:
            return score_jobs(self.scorer, jobs)
        return [ImageResult(job.name, q=float(len(jobs))) for job in jobs]


async def wait_until(condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


def test_jobs_waiting_together_share_one_batch() -> None:
    async def scenario() -> list[int]:
        gate = Gate()
        batcher = MicroBatcher(gate, window_s=0.05, max_batch=4, queue_size=16)
        batcher.start()
        futures = batcher.submit([(f"{i}", b"") for i in range(6)], "maclip", FusionParams())
        gate.opened.set()
        scored = await asyncio.gather(*futures)
        await batcher.stop()
        assert [s.batch_images for s in scored] == [4, 4, 4, 4, 2, 2]
        assert batcher.stats.batches == 2 and batcher.stats.largest_batch == 4
        return gate.sizes

    assert asyncio.run(scenario()) == [4, 2]  # max_batch caps a batch


def test_full_queue_refuses_and_recovers() -> None:
    async def scenario() -> None:
        gate = Gate()
        batcher = MicroBatcher(gate, window_s=0.0, max_batch=1, queue_size=3)
        batcher.start()
        running = batcher.submit([("first", b"")], "maclip", FusionParams())
        await wait_until(gate.entered.is_set)  # the worker holds it, blocked
        waiting = batcher.submit([("a", b""), ("b", b"")], "maclip", FusionParams())
        with pytest.raises(QueueFull):
            batcher.submit([("c", b""), ("d", b"")], "maclip", FusionParams())  # all or none
        assert batcher.queued == 2
        gate.opened.set()
        await asyncio.gather(*running, *waiting)
        await batcher.stop()

    asyncio.run(scenario())


def test_failed_batch_fails_its_jobs_only() -> None:
    async def scenario() -> None:
        gate = Gate(fail_first=True)
        gate.opened.set()
        batcher = MicroBatcher(gate, window_s=0.0, max_batch=8, queue_size=8)
        batcher.start()
        (first,) = batcher.submit([("x", b"")], "maclip", FusionParams())
        with pytest.raises(RuntimeError, match="out of memory"):
            await first
        (second,) = batcher.submit([("y", b"")], "maclip", FusionParams())
        assert (await second).result.key == "y"
        await batcher.stop()

    asyncio.run(scenario())


def test_one_batch_serves_different_parameters(tiny_rn: TinyModel, rn_scorer: Scorer) -> None:
    asks: list[tuple[Method, FusionParams]] = [
        ("maclip", FusionParams()),
        ("clipiqa", FusionParams()),
        ("magnitude", FusionParams(lam=0.0)),
        ("maclip", FusionParams(lam=0.25, alpha=3.0, b_sim=0.0, b_mag=1.0)),
    ]
    data = [png(seed) for seed in range(len(asks))]
    loop = asyncio.new_event_loop()
    jobs = [
        Job(f"{i}", data[i], method, fusion, loop.create_future())
        for i, (method, fusion) in enumerate(asks)
    ]
    loop.close()
    results = score_jobs(rn_scorer, jobs)  # one call: the views share encoder forwards
    for (method, fusion), image, result in zip(asks, data, results, strict=True):
        expected = tiny_rn.scorer(method=method, **vars(fusion)).score(image)[0]
        for name in ("q", "q_sim", "q_mag", "w_sim", "w_mag"):
            assert getattr(result, name) == pytest.approx(getattr(expected, name), abs=1e-5)


def test_service_answers_503_with_retry_after(rn_scorer: Scorer) -> None:
    gate = Gate(rn_scorer)
    settings = ServeSettings(max_images=2, queue_size=2, batch_window_s=0.0, retry_after_s=7)
    app = create_app(rn_scorer, settings, score_fn=gate)
    service = app.state.service

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):

            def send(*seeds: int):  # type: ignore[no-untyped-def]
                files = [("files", (f"{s}.png", png(s))) for s in seeds]
                return asyncio.create_task(client.post("/v1/score", files=files))

            first = send(0)
            await wait_until(gate.entered.is_set)  # the first image is on the blocked model thread
            second = send(1, 2)  # fills the queue
            await wait_until(lambda: service.batcher.queued == 2)
            refused = await send(3)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "7"
            assert refused.json()["code"] == "queue_full"
            # The model thread is busy, yet the event loop still answers.
            assert (await client.get("/healthz")).status_code == 200
            gate.opened.set()
            assert (await first).status_code == 200
            assert (await second).status_code == 200
            info = (await client.get("/v1/info")).json()["batching"]
            assert info["images"] == 3 and info["queued"] == 0

    asyncio.run(scenario())


def test_service_reports_a_failing_model_and_keeps_serving(rn_scorer: Scorer) -> None:
    gate = Gate(rn_scorer, fail_first=True)
    gate.opened.set()
    app = create_app(rn_scorer, ServeSettings(batch_window_s=0.0), score_fn=gate)

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
        ):
            files = [("files", ("a.png", png(0)))]
            failed = await client.post("/v1/score", files=files)
            assert failed.status_code == 500
            assert failed.json() == {
                "detail": "scoring failed: out of memory",
                "code": "scoring_failed",
            }
            assert (await client.post("/v1/score", files=files)).status_code == 200

    asyncio.run(scenario())
