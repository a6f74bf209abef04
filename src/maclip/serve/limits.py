"""Service settings, request parameters and the checks that answer 4xx.

Everything here is plain Python (no web framework), so the rules are easy to
test and to read: :class:`ServeSettings` holds the limits, :func:`parse_params`
validates a request's query/form parameters, and :func:`probe_image` reads an
upload's header only (no pixel decoding) to refuse non-images and images over
the pixel limit before they reach the model.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from ..quality import METHODS, FusionParams, Method
from ..qualitymap import MAP_FIELDS

#: Longest accepted upload name; longer names are cut (they are labels, never paths).
MAX_NAME_LENGTH = 200


class RequestError(Exception):
    """A request (or one image of it) that cannot be served, with its HTTP status.

    Attributes:
        status: HTTP status code (4xx, or 503 for a full queue).
        code: Short machine-readable cause, e.g. ``"too_many_pixels"``.
        message: One line for people, naming the upload when there is one.
        headers: Extra response headers (``Retry-After`` for 503).
        reason: For an image's error, the cause without the upload's name.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.reason = reason or message

    @classmethod
    def for_image(cls, status: int, code: str, name: str, reason: str) -> RequestError:
        """An error of one upload: the message is ``"<name>: <reason>"``."""
        return cls(status, code, f"{name}: {reason}", reason=reason)

    def to_dict(self) -> dict[str, Any]:
        """JSON body of the error: ``{"detail": message, "code": code}``."""
        return {"detail": self.message, "code": self.code}


@dataclass(frozen=True)
class ServeSettings:
    """Limits and micro-batching settings of the service.

    Attributes:
        max_upload_bytes: Largest request body, bytes (413 above).
        max_images: Most images in one request (413 above).
        queue_size: Most images waiting for the model; a request that does not fit
            gets 503 with ``Retry-After`` instead of growing memory. At least ``max_images``.
        batch_window_s: How long the batcher waits, seconds, after the first queued image
            for others to join its batch.
        max_batch_images: Most images scored together in one batch.
        retry_after_s: ``Retry-After`` seconds sent with 503.
        overlay_max_side: Longer side, pixels, of PNG overlays (larger images are shrunk).
    """

    max_upload_bytes: int = 32 * 1024 * 1024
    max_images: int = 16
    queue_size: int = 64
    batch_window_s: float = 0.01
    max_batch_images: int = 32
    retry_after_s: int = 1
    overlay_max_side: int = 1024

    def __post_init__(self) -> None:
        positive = ("max_upload_bytes", "max_images", "queue_size", "max_batch_images")
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.queue_size < self.max_images:
            raise ValueError("queue_size must be at least max_images (a request must fit)")
        if not 0 <= self.batch_window_s <= 1:
            raise ValueError("batch_window_s must lie in [0, 1] seconds")
        if self.retry_after_s < 0 or self.overlay_max_side < 16:
            raise ValueError("retry_after_s must be >= 0 and overlay_max_side >= 16")


@dataclass(frozen=True)
class RequestParams:
    """What one request asks for.

    Attributes:
        method: ``maclip``, ``clipiqa`` or ``magnitude``.
        fusion: λ, α and the base logits.
        views: Include per-view scores and boxes (always on for explain).
        explain: Add the quality map (the explain endpoint).
        overlay: Add a PNG overlay of the quality map (explain only).
        field: Which score the quality map shows (explain only).
    """

    method: Method
    fusion: FusionParams
    views: bool = False
    explain: bool = False
    overlay: bool = False
    field: str = "q"


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
SCORE_PARAMS = ("method", "lam", "alpha", "b_sim", "b_mag", "views", "filename")
EXPLAIN_PARAMS = (*SCORE_PARAMS, "overlay", "field")


def _bad(name: str, value: str, expected: str) -> RequestError:
    return RequestError(422, "bad_parameter", f"parameter {name}={value!r}: expected {expected}")


def _float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise _bad(name, value, "a finite number")
    return number


def _bool(name: str, value: str) -> bool:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _bad(name, value, "true or false")


def clean_name(name: str | None, default: str = "upload") -> str:
    """An upload's name as a label: stripped, control characters removed, length capped."""
    text = "".join(ch for ch in (name or "") if ch.isprintable()).strip()
    return text[:MAX_NAME_LENGTH] or default


def parse_params(
    values: Mapping[str, str], method: Method, fusion: FusionParams, explain: bool
) -> RequestParams:
    """Validate a request's parameters over the server's defaults.

    Args:
        values: Query and form parameters, by name (``filename``, the name of a raw-body
            upload, is allowed here and read by the app).
        method, fusion: The server's defaults.
        explain: Whether the explain-only parameters (``overlay``, ``field``) are allowed.

    Raises:
        RequestError: 422 naming the first unknown or invalid parameter.
    """
    allowed = EXPLAIN_PARAMS if explain else SCORE_PARAMS
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise RequestError(
            422,
            "unknown_parameter",
            f"unknown parameter {unknown[0]!r}; this endpoint takes {', '.join(allowed)}",
        )
    chosen = values.get("method", method)
    if chosen not in METHODS:
        raise _bad("method", chosen, " or ".join(METHODS))
    numbers = {
        name: _float(name, values[name])
        for name in ("lam", "alpha", "b_sim", "b_mag")
        if name in values
    }
    field_name = values.get("field", "q")
    if field_name not in MAP_FIELDS:
        raise _bad("field", field_name, " or ".join(MAP_FIELDS))
    return RequestParams(
        method=chosen,
        fusion=FusionParams(
            lam=numbers.get("lam", fusion.lam),
            alpha=numbers.get("alpha", fusion.alpha),
            b_sim=numbers.get("b_sim", fusion.b_sim),
            b_mag=numbers.get("b_mag", fusion.b_mag),
        ),
        views=explain or _bool("views", values.get("views", "false")),
        explain=explain,
        overlay=_bool("overlay", values.get("overlay", "false")),
        field=field_name,
    )


def probe_image(data: bytes, name: str, max_pixels: int) -> RequestError | None:
    """Check an upload from its header alone; ``None`` when it may go to the model.

    Returns:
        A 422 error for empty or non-image data, a 413 error for more than
        ``max_pixels`` pixels (decompression bombs), else ``None``. Corrupt pixel
        data past a valid header is found later, when the model decodes it.
    """
    if not data:
        return RequestError.for_image(422, "empty_image", name, "empty upload (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
    except Image.DecompressionBombError as err:
        return RequestError.for_image(413, "too_many_pixels", name, f"too many pixels ({err})")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        reason = "not an image Pillow can read (unknown or corrupt format)"
        if not isinstance(err, UnidentifiedImageError):
            reason = f"corrupt image header ({err})"
        return RequestError.for_image(422, "not_an_image", name, reason)
    if width * height > max_pixels:
        return RequestError.for_image(
            413,
            "too_many_pixels",
            name,
            f"{width}x{height} = {width * height} pixels is over this server's limit "
            f"of {max_pixels} (decompression-bomb guard)",
        )
    return None
