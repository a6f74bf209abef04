"""JSON forms of served results: scores, quality-map grids and PNG overlays.

The quality map (:func:`maclip.qualitymap.quality_map`) is constant between
patch edges, so :func:`map_grid` sends it exactly and compactly as a grid of
cells: ``values[i][j]`` covers rows ``row_edges[i]`` to ``row_edges[i + 1]``
and columns ``col_edges[j]`` to ``col_edges[j + 1]`` of the prepared image.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np
from PIL import Image

from ..images import load_image
from ..qualitymap import overlay_png, quality_map
from ..results import ImageResult


def result_payload(result: ImageResult, views: bool) -> dict[str, Any]:
    """An image's scores as JSON: ``filename``, ``q``... ``pair_probs``, ``views``, ``error``."""
    payload = result.to_dict(include_views=views and result.ok)
    payload["filename"] = payload.pop("path")
    return payload


def _edges(starts_and_ends: set[int], length: int) -> list[int]:
    return sorted({0, length} | {e for e in starts_and_ends if 0 <= e <= length})


def map_grid(result: ImageResult, field: str = "q") -> dict[str, Any]:
    """The quality map of ``field`` as a grid of constant cells (see the module docstring).

    Returns:
        ``{"field", "height", "width", "row_edges", "col_edges", "values"}`` in the
        prepared-image frame (pixels); non-finite values are ``null``.
    """
    values = quality_map(result, field)
    height, width = result.prepared_size
    patches = [v for v in result.views if not v.is_global]
    rows = _edges({v.top for v in patches} | {v.top + v.height for v in patches}, height)
    cols = _edges({v.left for v in patches} | {v.left + v.width for v in patches}, width)
    grid = [[_finite(values[r, c]) for c in cols[:-1]] for r in rows[:-1]]
    return {
        "field": field,
        "height": height,
        "width": width,
        "row_edges": rows,
        "col_edges": cols,
        "values": grid,
    }


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def overlay_data_url(data: bytes, result: ImageResult, field: str, max_side: int) -> str:
    """The image with its quality map over it, as a ``data:image/png;base64,...`` URL.

    The image is decoded as the scorer decodes it (orientation applied) and shrunk
    so its longer side is at most ``max_side`` pixels before the overlay is drawn.
    """
    pixels = load_image(data, max_pixels=result.size[0] * result.size[1])
    rgb = (pixels.permute(1, 2, 0).numpy() * 255.0).round().astype(np.uint8)
    image = Image.fromarray(rgb)
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    png = overlay_png(image, result, field)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def explain_payload(
    data: bytes, result: ImageResult, field: str, overlay: bool, max_side: int
) -> dict[str, Any]:
    """What explain adds to a scored image: ``quality_map`` and, on request, ``overlay_png``."""
    extra: dict[str, Any] = {"quality_map": map_grid(result, field)}
    if overlay:
        extra["overlay_png"] = overlay_data_url(data, result, field, max_side)
    return extra
