"""View boxes, counts and pixels, checked against torch's unfold."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from maclip.tiny import random_photo
from maclip.views import (
    ViewConfig,
    count_views,
    cut_views,
    prepare,
    prepared_size,
    view_boxes,
)


@pytest.mark.parametrize(
    ("height", "width", "expected"),
    [
        (224, 224, 2),  # one patch + the whole image
        (768, 1024, 36),  # KonIQ-10k: 5 x 7 patches + 1
        (512, 384, 3 * 2 + 1),  # portrait
        (300, 400, 1 * 2 + 1),  # non-multiple sizes: partial patches are dropped
        (500, 333, 3 * 1 + 1),
        (100, 50, 2 * 1 + 1),  # small: upscaled so the short side is 224 (448 x 224)
        (10, 10, 2),
        (3000, 4000, 22 * 30 + 1),  # 12 megapixels: ~700 views
    ],
)
def test_count_views(height: int, width: int, expected: int) -> None:
    assert count_views(height, width) == expected


def test_small_images_are_upscaled_keeping_aspect() -> None:
    assert prepared_size(100, 50, ViewConfig()) == (448, 224)
    assert prepared_size(150, 1000, ViewConfig()) == (224, 1494)
    assert prepared_size(224, 300, ViewConfig()) == (224, 300)


def test_pre_resize_and_max_side() -> None:
    assert prepared_size(3000, 4000, ViewConfig(pre_resize=(448, 448))) == (448, 448)
    assert count_views(3000, 4000, ViewConfig(pre_resize=(448, 448))) == 2 * 2 + 1
    assert prepared_size(3000, 4000, ViewConfig(max_side=1024)) == (768, 1024)
    assert count_views(3000, 4000, ViewConfig(max_side=1024)) == 36
    assert prepared_size(300, 400, ViewConfig(max_side=1024)) == (300, 400)


def test_invalid_configs_are_refused() -> None:
    with pytest.raises(ValueError):
        ViewConfig(stride=0)
    with pytest.raises(ValueError):
        ViewConfig(max_side=100)
    with pytest.raises(ValueError):
        ViewConfig(min_side=100)


@pytest.mark.parametrize(("height", "width"), [(224, 224), (300, 481), (768, 1024)])
def test_patches_equal_unfold_and_global_is_bilinear(height: int, width: int) -> None:
    torch.manual_seed(0)
    image = torch.randn(3, height, width)
    config = ViewConfig()
    boxes = view_boxes(height, width, config)
    views = cut_views(image, boxes, 224)
    unfolded = F.unfold(image[None], kernel_size=224, stride=128)[0]
    patches = unfolded.view(3, 224, 224, -1).permute(3, 0, 1, 2)
    assert views.shape == (patches.shape[0] + 1, 3, 224, 224)
    torch.testing.assert_close(views[:-1], patches, rtol=0, atol=0)
    whole = F.interpolate(image[None], size=(224, 224), mode="bilinear", align_corners=False)
    torch.testing.assert_close(views[-1], whole[0], rtol=0, atol=0)
    assert boxes[-1].is_global and boxes[-1].height == height and boxes[-1].width == width
    tops = range(0, height - 223, 128)
    lefts = range(0, width - 223, 128)
    assert [(b.top, b.left) for b in boxes[:-1]] == [(y, x) for y in tops for x in lefts]


def test_no_global_view_option() -> None:
    boxes = view_boxes(768, 1024, ViewConfig(include_global=False))
    assert len(boxes) == 35 and not any(b.is_global for b in boxes)


def test_prepare_keeps_range_and_skips_identity() -> None:
    image = torch.rand(3, 100, 60)
    out = prepare(image, ViewConfig())
    assert out.shape == (3, 374, 224)  # 100 * 224 / 60 = 373.3, rounded up
    assert out.min() >= 0 and out.max() <= 1
    same = torch.rand(3, 300, 300)
    assert prepare(same, ViewConfig()) is same


def _as_tensor(pixels: np.ndarray, scale: float = 255.0) -> torch.Tensor:
    return torch.from_numpy(pixels.astype(np.float32) / scale).permute(2, 0, 1)


def test_pre_resize_is_pil_bicubic_on_8_bit_pixels() -> None:
    photo = random_photo(300, 250, seed=3)
    expected = np.array(Image.fromarray(photo).resize((448, 448), Image.Resampling.BICUBIC))
    out = prepare(_as_tensor(photo), ViewConfig(pre_resize=(448, 448)))
    assert torch.equal(out, _as_tensor(expected))
    # not torch's antialiased bicubic on floats, which moves edge pixels by several levels
    floats = F.interpolate(_as_tensor(photo)[None], size=(448, 448), mode="bicubic", antialias=True)
    assert (floats[0].clamp(0, 1) - out).abs().max() > 2 / 255


def test_pre_resize_quantises_16_bit_pixels_even_at_the_native_size() -> None:
    deep = torch.from_numpy(np.random.default_rng(0).integers(0, 65536, (3, 230, 240))) / 65535.0
    out = prepare(deep.float(), ViewConfig(pre_resize=(230, 240)))
    levels = out * 255
    assert torch.equal(levels, levels.round()) and (levels - deep * 255).abs().max() <= 0.5 + 1e-4


def test_max_side_and_upscale_resize_the_pre_resized_8_bit_image() -> None:
    photo = random_photo(200, 300, seed=5)
    small = np.array(Image.fromarray(photo).resize((200, 100), Image.Resampling.BICUBIC))
    out = prepare(_as_tensor(photo), ViewConfig(pre_resize=(100, 200)))
    expected = F.interpolate(
        _as_tensor(small)[None], size=(224, 448), mode="bicubic", antialias=True
    )[0].clamp(0, 1)
    assert out.shape == (3, 224, 448) and torch.allclose(out, expected, atol=1e-6)
