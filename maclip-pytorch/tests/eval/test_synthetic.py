"""The synthetic benchmark's inputs: bundled photos, and distortions that grow with the level."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from maclip.eval.synthetic import DISTORTIONS, PHOTOS, distort, load_photo, synthetic_images


def _high_frequency(image: Image.Image) -> float:
    grey = np.asarray(image.convert("L"), dtype=float)
    return float(np.abs(np.diff(grey, axis=1)).mean())


def _increasing(values: list[float]) -> bool:
    return bool(np.all(np.diff(values) > 0))


def _error(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).mean())


@pytest.mark.parametrize("name", PHOTOS)
def test_photos_are_bundled_colour_images(name: str) -> None:
    photo = load_photo(name, max_side=128)  # reads the wheel's files: no network
    assert photo.mode == "RGB" and max(photo.size) == 128


@pytest.mark.parametrize("kind", list(DISTORTIONS))
def test_each_distortion_grows_with_its_level(kind: str) -> None:
    photo = load_photo("coffee", max_side=160)
    images = [distort(photo, kind, level, seed=0) for level in range(6)]
    assert images[0] is photo
    assert all(im.size == photo.size and im.mode == "RGB" for im in images)
    errors = [_error(photo, im) for im in images]
    assert errors[0] == 0 and _increasing(errors), errors
    if kind in ("blur", "resample"):
        detail = [_high_frequency(im) for im in images]
        assert _increasing([-d for d in detail]), detail
    if kind == "contrast":
        spread = [np.asarray(im, dtype=float).std() for im in images]
        assert _increasing([-s for s in spread]), spread


def test_benchmark_covers_photos_kinds_and_levels() -> None:
    images = list(synthetic_images(photos=("chelsea",), max_side=64))
    assert len(images) == len(DISTORTIONS) * 6
    assert {(im.kind, im.level) for im in images} == {
        (k, lv) for k in DISTORTIONS for lv in range(6)
    }
    assert images[0].key == "chelsea/blur/0" and images[0].pixels.dtype == np.uint8
