"""Quality maps: patch scores spread over pixels, colours and the PNG overlay."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from maclip import ImageResult, Scorer
from maclip.qualitymap import colorize, overlay_png, quality_map

from .conftest import random_photo


def test_map_is_the_mean_of_covering_patches(rn_scorer: Scorer) -> None:
    result = rn_scorer.score(random_photo(300, 481))[0]
    qmap = quality_map(result)
    assert qmap.shape == (300, 481)
    patches = [v for v in result.views if not v.is_global]
    assert qmap[0, 0] == pytest.approx(patches[0].q)  # only the first patch covers it
    assert qmap[10, 200] == pytest.approx((patches[0].q + patches[1].q) / 2)  # two overlap
    # Margins past the last patch row (ends at 224) and column (ends at 480) repeat the edge.
    np.testing.assert_array_equal(qmap[299], qmap[223])
    np.testing.assert_array_equal(qmap[:, 480], qmap[:, 479])
    assert qmap[299, 480] == pytest.approx(patches[-1].q)
    assert np.isfinite(qmap).all()
    w_map = quality_map(result, "w_sim")
    assert np.nanmax(w_map) <= 1.0
    with pytest.raises(ValueError, match="field"):
        quality_map(result, "nope")


def test_failed_result_has_no_map() -> None:
    with pytest.raises(ValueError, match="failed"):
        quality_map(ImageResult.failed("x.jpg", "not an image"))


def test_colorize_range_and_transparency() -> None:
    values = np.array([[0.0, 0.5, 1.0, np.nan]])
    rgba = colorize(values, alpha=0.5)
    assert rgba.shape == (1, 4, 4) and rgba.dtype == np.uint8
    assert tuple(rgba[0, 0, :3]) == (68, 1, 84) and tuple(rgba[0, 2, :3]) == (253, 231, 37)
    assert rgba[0, 3, 3] == 0 and rgba[0, 0, 3] == 128
    fixed = colorize(values, vmin=0.0, vmax=2.0)
    assert tuple(fixed[0, 2, :3]) != (253, 231, 37)  # 1.0 is mid-scale on [0, 2]


def test_overlay_png_has_the_image_size(rn_scorer: Scorer) -> None:
    photo = random_photo(120, 90)  # small: scored upscaled, overlay at native size
    result = rn_scorer.score(photo)[0]
    png = overlay_png(photo, result)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (90, 120)
    assert not np.array_equal(np.asarray(image.convert("RGB")), photo)  # something was drawn
