"""The FastAPI application: ``/v1/score``, ``/v1/explain``, ``/v1/info``, ``/healthz``, ``/``.

:func:`create_app` takes a loaded :class:`~maclip.Scorer` (the model is loaded
once, before serving) and :class:`~maclip.serve.limits.ServeSettings`. Images
arrive as multipart uploads (any field name, several allowed) or as one raw
image body; they are checked cheaply on arrival (size, count, header) and then
scored by the :class:`~maclip.serve.batching.MicroBatcher`, which combines
concurrent requests. No endpoint takes a server-side path: only bytes.

Errors are JSON ``{"detail": "...", "code": "..."}`` with a 4xx status (503 with
``Retry-After`` for a full queue). A request whose images all fail answers with
the first failure's status; if some images succeed it answers 200 and each
failed image carries its ``error``, so one bad image never loses the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from .. import __version__
from ..images import _allow_pixels  # the scorer's own Pillow pixel-guard setting
from ..quality import METHODS
from ..qualitymap import MAP_FIELDS
from ..results import ImageResult
from ..scorer import Scorer
from .batching import MicroBatcher, QueueFull, Scored, ScoreFn, score_jobs
from .limits import (
    RequestError,
    RequestParams,
    ServeSettings,
    clean_name,
    parse_params,
    probe_image,
)
from .payloads import explain_payload, result_payload

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

RAW_TYPES = ("image/", "application/octet-stream")


class BodyLimit:
    """ASGI middleware: read request bodies up to a limit, answer 413 beyond it.

    A declared ``Content-Length`` over the limit is refused before reading; a
    streamed body is counted as it arrives. Accepted bodies are handed on whole.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = RequestError(
            413,
            "upload_too_large",
            f"request body is over this server's limit of {self.max_bytes} bytes "
            f"({self.max_bytes / 2**20:.1f} MiB)",
        )
        await _error_response(error)(scope, receive, send)


def _error_response(error: RequestError, extra: dict[str, Any] | None = None) -> JSONResponse:
    return JSONResponse(
        {**error.to_dict(), **(extra or {})}, status_code=error.status, headers=error.headers
    )


async def _read_uploads(request: Request, params_in: dict[str, str]) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of every uploaded image; form text fields go into ``params_in``."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        try:
            form = await request.form()
        except HTTPException as err:
            raise RequestError(
                422, "bad_multipart", f"malformed multipart body: {err.detail}"
            ) from err
        uploads = []
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                uploads.append((clean_name(value.filename), await value.read()))
            else:
                params_in[key] = value
        await form.close()
        return uploads
    if content_type and not content_type.startswith(RAW_TYPES):
        raise RequestError(
            415,
            "unsupported_media_type",
            f"content type {content_type!r} is not accepted: send multipart/form-data "
            "files or one raw image body (image/* or application/octet-stream)",
        )
    body = await request.body()
    return [(clean_name(request.query_params.get("filename")), body)] if body else []


def _probe_all(uploads: Sequence[tuple[str, bytes]], max_pixels: int) -> list[RequestError | None]:
    return [probe_image(data, name, max_pixels) for name, data in uploads]


class Service:
    """The state behind the routes: scorer, settings and batcher."""

    def __init__(self, scorer: Scorer, settings: ServeSettings, score_fn: ScoreFn) -> None:
        self.scorer = scorer
        self.settings = settings
        self.batcher = MicroBatcher(
            score_fn,
            window_s=settings.batch_window_s,
            max_batch=settings.max_batch_images,
            queue_size=settings.queue_size,
        )
        self.started = time.time()

    async def handle(self, request: Request, explain: bool) -> JSONResponse:
        """Score (and for explain, map) every image of a request."""
        start = time.perf_counter()
        values = dict(request.query_params)
        try:
            uploads = await _read_uploads(request, values)
            params = parse_params(values, self.scorer.method, self.scorer.params, explain)
            if not uploads:
                raise RequestError(
                    422,
                    "no_image",
                    "no image in the request: send multipart/form-data files or one raw image body",
                )
            if len(uploads) > self.settings.max_images:
                raise RequestError(
                    413,
                    "too_many_images",
                    f"{len(uploads)} images in one request; this server takes at most "
                    f"{self.settings.max_images}",
                )
            images = await self._score(uploads, params)
        except RequestError as err:
            return _error_response(err)
        payloads = [image for image, _ in images]
        body: dict[str, Any] = {
            "model": self.scorer.backbone.name,
            "method": params.method,
            "params": vars(params.fusion),
            "images": payloads,
            "timing_ms": round((time.perf_counter() - start) * 1000, 3),
        }
        errors = [error for _, error in images if error is not None]
        if len(errors) == len(images):
            return _error_response(errors[0], body)
        return JSONResponse(body)

    async def _score(
        self, uploads: list[tuple[str, bytes]], params: RequestParams
    ) -> list[tuple[dict[str, Any], RequestError | None]]:
        """Per upload, its JSON payload and its error (``None`` when scored)."""
        probes = await asyncio.to_thread(_probe_all, uploads, self.scorer.max_pixels)
        accepted = [upload for upload, error in zip(uploads, probes, strict=True) if error is None]
        try:
            futures = self.batcher.submit(accepted, params.method, params.fusion)
        except QueueFull:
            raise RequestError(
                503,
                "queue_full",
                "the server is busy (scoring queue full); retry shortly",
                {"Retry-After": str(self.settings.retry_after_s)},
            ) from None
        try:
            scored = iter(await asyncio.gather(*futures))
        except Exception as err:  # noqa: BLE001 - the model failed; say so without a traceback
            raise RequestError(500, "scoring_failed", f"scoring failed: {err}") from err
        out: list[tuple[dict[str, Any], RequestError | None]] = []
        for (name, data), error in zip(uploads, probes, strict=True):
            if error is not None:
                payload = result_payload(ImageResult.failed(name, error.reason), params.views)
                out.append(({**payload, "code": error.code}, error))
            else:
                out.append(await self._payload(next(scored), data, params))
        return out

    async def _payload(
        self, item: Scored, data: bytes, params: RequestParams
    ) -> tuple[dict[str, Any], RequestError | None]:
        result = item.result
        payload = result_payload(result, params.views)
        payload["timing"] = item.timing()
        if not result.ok:
            error = RequestError.for_image(422, "corrupt_image", result.key, str(result.error))
            payload["code"] = error.code
            return payload, error
        if params.explain:  # maps are full-size arrays: build them off the event loop
            payload.update(
                await asyncio.to_thread(
                    explain_payload,
                    data,
                    result,
                    params.field,
                    params.overlay,
                    self.settings.overlay_max_side,
                )
            )
        return payload, None

    def info(self) -> dict[str, Any]:
        """What ``/v1/info`` reports: model, device, version, settings, batching."""
        scorer, backbone = self.scorer, self.scorer.backbone
        weights = backbone.weights
        return {
            "name": "maclip",
            "version": __version__,
            "model": {
                "backbone": backbone.name,
                "weights": Path(weights).name if Path(weights).is_file() else weights,
                "family": backbone.family,
                "embed_dim": backbone.embed_dim,
                "logit_scale": backbone.logit_scale,
                "pos_embedding": backbone.pos_embedding,
            },
            "device": str(backbone.device),
            "precision": str(backbone.dtype).removeprefix("torch."),
            "settings": {
                "method": scorer.method,
                "methods": list(METHODS),
                "map_fields": list(MAP_FIELDS),
                **vars(scorer.params),
                "prompts": [list(pair) for pair in scorer.prompts],
                "views": vars(scorer.views),
                "batch_size": scorer.batch_size,
            },
            "limits": {
                "max_upload_bytes": self.settings.max_upload_bytes,
                "max_images": self.settings.max_images,
                "max_pixels": scorer.max_pixels,
            },
            "batching": self.batcher.info(),
            "uptime_s": round(time.time() - self.started, 3),
        }


def _page() -> str:
    return resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                },
            }
        },
        "image/*": {"schema": {"type": "string", "format": "binary"}},
    },
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_SCORE_QUERY = [
    _query("method", {"enum": list(METHODS)}, "fusion (maclip), Q_sim alone or Q_mag alone"),
    _query("lam", {"type": "number"}, "Box-Cox λ"),
    _query("alpha", {"type": "number"}, "fusion α"),
    _query("b_sim", {"type": "number"}, "base logit of Q_sim"),
    _query("b_mag", {"type": "number"}, "base logit of Q_mag"),
    _query("views", {"type": "boolean"}, "include per-view scores and boxes"),
    _query("filename", {"type": "string"}, "name of a raw-body upload (a label)"),
]
_EXPLAIN_QUERY = [
    *_SCORE_QUERY[:-2],
    _query("overlay", {"type": "boolean"}, "add a PNG overlay as a data URL"),
    _query("field", {"enum": list(MAP_FIELDS)}, "score shown by the quality map"),
    _SCORE_QUERY[-1],
]


def create_app(
    scorer: Scorer, settings: ServeSettings | None = None, score_fn: ScoreFn | None = None
) -> FastAPI:
    """The service for a loaded scorer.

    Args:
        scorer: The loaded model and default scoring settings.
        settings: Limits and batching (defaults: :class:`ServeSettings`).
        score_fn: Scores a batch on the worker thread; default :func:`score_jobs` with ``scorer``.
    """
    settings = settings or ServeSettings()
    _allow_pixels(scorer.max_pixels)
    service = Service(scorer, settings, score_fn or partial(score_jobs, scorer))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        service.batcher.start()
        yield
        await service.batcher.stop()

    app = FastAPI(
        title="maclip",
        version=__version__,
        summary="No-reference image quality scores (MA-CLIP) and quality maps",
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(_page())

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: ``{"status": "ok"}`` once the model is loaded."""
        return {"status": "ok"}

    @app.get("/v1/info")
    async def info() -> dict[str, Any]:
        """Model, device, version, settings, limits and batching counters."""
        return service.info()

    @app.post(
        "/v1/score",
        openapi_extra={"requestBody": _UPLOAD_BODY, "parameters": _SCORE_QUERY},
    )
    async def score(request: Request) -> JSONResponse:
        """Score images: multipart files (any field name) or one raw image body.

        Returns ``images``: per image ``q``, ``q_sim``, ``q_mag``, ``w_sim``, ``w_mag``,
        ``pair_probs``, ``views`` (count), sizes, ``timing`` and ``error``.
        """
        return await service.handle(request, explain=False)

    @app.post(
        "/v1/explain",
        openapi_extra={"requestBody": _UPLOAD_BODY, "parameters": _EXPLAIN_QUERY},
    )
    async def explain(request: Request) -> JSONResponse:
        """As ``/v1/score``, plus ``view_scores``, the ``quality_map`` grid and, with
        ``overlay=true``, ``overlay_png`` (a PNG data URL of the map over the image)."""
        return await service.handle(request, explain=True)

    return app
