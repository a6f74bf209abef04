"""Generated test photos shared by the benchmark scripts (no download needed)."""

from __future__ import annotations

import io
import math

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


def portrait_size(megapixels: float) -> tuple[int, int]:
    """``(width, height)`` of a 4:5 portrait photo of about ``megapixels`` million pixels, each
    side a multiple of 16 (whole JPEG blocks)."""
    width = int(round(math.sqrt(megapixels * 1e6 * 4 / 5) / 16) * 16)
    return width, int(round(megapixels * 1e6 / width / 16) * 16)


def main() -> None:
    """Writes one JPEG photo (quality 75) for the shell benchmarks and prints ``WIDTH HEIGHT``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("out")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--megapixels", type=float, help="a 4:5 portrait of about this many")
    size.add_argument("--size", help="WIDTHxHEIGHT")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.size:
        width, height = (int(v) for v in args.size.split("x"))
    else:
        width, height = portrait_size(args.megapixels)
    with open(args.out, "wb") as out:
        out.write(photo_bytes(height, width, seed=args.seed, fmt="JPEG"))
    print(width, height)


if __name__ == "__main__":
    main()
