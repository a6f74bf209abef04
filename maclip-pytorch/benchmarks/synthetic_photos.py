"""Generated test photos shared by the benchmark scripts (no download needed)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def photo(height: int, width: int, seed: int) -> np.ndarray:
    """A smooth random RGB image (gradients plus noise), ``(height, width, 3)`` uint8."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([np.sin(x / (9 + 4 * c) + c) * np.cos(y / (13 + c)) for c in range(3)], -1)
    noisy = 127.5 * (base + 1.0) + rng.normal(0, 10, size=(height, width, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def photo_bytes(height: int, width: int, seed: int, fmt: str = "PNG") -> bytes:
    """:func:`photo` encoded as ``fmt`` (e.g. ``"PNG"``, ``"JPEG"``)."""
    buffer = io.BytesIO()
    Image.fromarray(photo(height, width, seed)).save(buffer, format=fmt)
    return buffer.getvalue()
