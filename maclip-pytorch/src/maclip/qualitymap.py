"""Per-patch quality maps: where in the image quality is high or low.

:func:`quality_map` spreads each patch view's score over the pixels it covers
and averages where patches overlap (the global view is left out: it covers
everything). :func:`colorize` turns a map into RGBA colours (viridis: dark
purple is low, yellow is high), and :func:`overlay_png` blends that over the
image and encodes a PNG, with Pillow only.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .images import ImageSource, load_image
from .results import ImageResult

#: Viridis anchor colours (RGB, 0-255) at evenly spaced positions from 0 to 1.
_VIRIDIS = np.array(
    [
        [68, 1, 84],
        [72, 40, 120],
        [62, 74, 137],
        [49, 104, 142],
        [38, 130, 142],
        [31, 158, 137],
        [53, 183, 121],
        [109, 205, 89],
        [180, 222, 44],
        [253, 231, 37],
    ],
    dtype=np.float64,
)

MAP_FIELDS = ("q", "q_sim", "q_mag", "w_sim", "w_mag")


def quality_map(result: ImageResult, field: str = "q") -> np.ndarray:
    """Per-pixel mean of the patch scores covering each pixel.

    Args:
        result: A scored image (with its per-view scores).
        field: Which score to map: ``q``, ``q_sim``, ``q_mag``, ``w_sim`` or ``w_mag``.

    Returns:
        ``(H, W)`` float64 map in the prepared-image frame (``result.prepared_size``).
        The right and bottom margins that no patch reaches (the stride drops partial
        patches) take the value of the nearest covered row or column.
    """
    if field not in MAP_FIELDS:
        raise ValueError(f"field must be one of {', '.join(MAP_FIELDS)}, not {field!r}")
    if not result.ok:
        raise ValueError(f"{result.key}: no quality map for an image that failed ({result.error})")
    height, width = result.prepared_size
    total = np.zeros((height, width))
    count = np.zeros((height, width))
    for view in result.views:
        if view.is_global:
            continue
        rows = slice(view.top, view.top + view.height)
        cols = slice(view.left, view.left + view.width)
        total[rows, cols] += getattr(view, field)
        count[rows, cols] += 1
    covered_rows = int(np.flatnonzero(count.any(axis=1))[-1]) + 1
    covered_cols = int(np.flatnonzero(count.any(axis=0))[-1]) + 1
    inner = total[:covered_rows, :covered_cols] / count[:covered_rows, :covered_cols]
    return np.pad(inner, ((0, height - covered_rows), (0, width - covered_cols)), mode="edge")


def colorize(
    values: np.ndarray, vmin: float | None = None, vmax: float | None = None, alpha: float = 0.5
) -> np.ndarray:
    """Map values to viridis RGBA colours.

    Args:
        values: ``(H, W)`` map; NaN pixels become fully transparent.
        vmin, vmax: Value range mapped to the ends of the colour scale (default: the
            map's own finite minimum and maximum).
        alpha: Opacity in [0, 1] of the coloured pixels.

    Returns:
        ``(H, W, 4)`` uint8 RGBA array.
    """
    finite = np.isfinite(values)
    lo = float(np.nanmin(values)) if vmin is None and finite.any() else (vmin or 0.0)
    hi = float(np.nanmax(values)) if vmax is None and finite.any() else (vmax or 1.0)
    span = hi - lo if hi > lo else 1.0
    position = np.clip((np.nan_to_num(values, nan=lo) - lo) / span, 0.0, 1.0)
    scaled = position * (len(_VIRIDIS) - 1)
    below = np.floor(scaled).astype(int).clip(0, len(_VIRIDIS) - 2)
    frac = (scaled - below)[..., None]
    rgb = _VIRIDIS[below] * (1 - frac) + _VIRIDIS[below + 1] * frac
    opacity = np.where(finite, 255.0 * alpha, 0.0)[..., None]
    return np.concatenate([rgb, opacity], axis=-1).round().astype(np.uint8)


def overlay_png(
    image: ImageSource,
    result: ImageResult,
    field: str = "q",
    alpha: float = 0.5,
    vmin: float | None = None,
    vmax: float | None = None,
) -> bytes:
    """PNG bytes of the image with its quality map blended over it.

    The map, computed in the prepared frame, is resized to the image's own size.

    Args:
        image: The scored image (any input :func:`maclip.images.load_image` takes).
        result: Its :class:`~maclip.results.ImageResult`.
        field: Score to map (see :func:`quality_map`).
        alpha: Opacity of the map in [0, 1].
        vmin, vmax: Colour range (default: the map's own range).
    """
    pixels = load_image(image)
    rgb = (pixels.permute(1, 2, 0).numpy() * 255.0).round().astype(np.uint8)
    base = Image.fromarray(rgb).convert("RGBA")
    colours = Image.fromarray(colorize(quality_map(result, field), vmin, vmax, alpha), "RGBA")
    blended = Image.alpha_composite(base, colours.resize(base.size, Image.Resampling.NEAREST))
    buffer = io.BytesIO()
    blended.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()
