"""A benchmark that needs no download: graded distortions of bundled photographs.

Pristine photographs come from scikit-image's sample data (the ones shipped
inside its wheel, read without network access). Each is distorted by five
types at five levels; a good quality score falls as the level grows, measured
by the SRCC between the score and minus the level (level 0 is the pristine
photo), both pooled over photos and as the mean over photos.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

#: scikit-image sample photographs bundled in its wheel (colour, natural scenes).
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket")

#: Strength of each distortion at levels 1..5 (level 0 is the pristine photo).
LEVELS: dict[str, tuple[float, ...]] = {
    "blur": (0.5, 1.0, 2.0, 3.0, 5.0),  # Gaussian sigma, pixels
    "noise": (5.0, 10.0, 20.0, 35.0, 50.0),  # Gaussian sigma, 8-bit grey levels
    "jpeg": (70, 40, 20, 10, 5),  # JPEG quality
    "contrast": (0.8, 0.6, 0.45, 0.3, 0.15),  # remaining contrast
    "resample": (1.5, 2.0, 3.0, 4.0, 6.0),  # downscale factor before upscaling back
}


def _blur(image: Image.Image, sigma: float, _: int) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius=sigma))


def _noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float64)
    noisy = pixels + np.random.default_rng(seed).normal(0.0, sigma, pixels.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8))


def _jpeg(image: Image.Image, quality: float, _: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=int(quality))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _contrast(image: Image.Image, factor: float, _: int) -> Image.Image:
    return ImageEnhance.Contrast(image).enhance(factor)


def _resample(image: Image.Image, factor: float, _: int) -> Image.Image:
    small = (max(1, round(image.width / factor)), max(1, round(image.height / factor)))
    down = image.resize(small, Image.Resampling.BICUBIC, reducing_gap=None)
    return down.resize(image.size, Image.Resampling.BICUBIC)


DISTORTIONS: dict[str, Callable[[Image.Image, float, int], Image.Image]] = {
    "blur": _blur,
    "noise": _noise,
    "jpeg": _jpeg,
    "contrast": _contrast,
    "resample": _resample,
}


def distort(image: Image.Image, kind: str, level: int, seed: int = 0) -> Image.Image:
    """``image`` (RGB) with distortion ``kind`` at ``level`` 0 (none) to 5 (strongest)."""
    if level == 0:
        return image
    return DISTORTIONS[kind](image, LEVELS[kind][level - 1], seed)


def load_photo(name: str, max_side: int | None = None) -> Image.Image:
    """A bundled scikit-image sample photograph as RGB, optionally shrunk to ``max_side``."""
    try:
        from skimage import data
    except ImportError as err:
        raise RuntimeError(
            "the synthetic benchmark needs scikit-image: pip install 'maclip[eval]'"
        ) from err
    image = Image.fromarray(np.asarray(getattr(data, name)())).convert("RGB")
    if max_side is not None and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


@dataclass(frozen=True)
class SyntheticImage:
    """One benchmark image: which photo, distortion and level it is."""

    photo: str
    kind: str
    level: int
    pixels: np.ndarray  # (H, W, 3) uint8

    @property
    def key(self) -> str:
        return f"{self.photo}/{self.kind}/{self.level}"


def synthetic_images(
    photos: tuple[str, ...] = PHOTOS, max_side: int | None = None
) -> Iterator[SyntheticImage]:
    """Every photo under every distortion at levels 0-5 (level 0 repeated per kind)."""
    for p, photo in enumerate(photos):
        image = load_photo(photo, max_side)
        for k, kind in enumerate(DISTORTIONS):
            for level in range(len(LEVELS[kind]) + 1):
                pixels = np.asarray(distort(image, kind, level, seed=100 * p + k))
                yield SyntheticImage(photo, kind, level, pixels)
