"""Cutting an image into the views MA-CLIP scores, and where each view lies.

An image tensor is ``(3, H, W)`` float in ``[0, 1]`` (RGB). :func:`prepare`
applies the optional pre-resize, the optional cap on the longer side and the
minimum-size upscale; :func:`view_boxes` lists the views of the prepared image
in a fixed order (patches row by row, as ``torch.Tensor.unfold`` yields them,
then the whole image); and :func:`cut_views` materialises a slice of them at a
time so memory stays bounded whatever the image size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


@dataclass(frozen=True)
class ViewConfig:
    """How an image becomes views.

    Attributes:
        patch_size: Side of the square patches, pixels.
        stride: Step between patches, pixels (no padding: patches that do not
            fit are dropped, as ``unfold`` does).
        include_global: Add the whole image resized to ``patch_size`` as a view.
        pre_resize: ``(height, width)`` to resize to before cutting, e.g. ``(448, 448)``
            for SPAQ in the paper; ``None`` keeps the native size. As in the paper's
            code, this resize works on 8-bit pixels (see :func:`pre_resize_8bit`).
        max_side: Cap on the longer side (aspect kept, bicubic antialiased);
            ``None`` (default, as in the paper) leaves large images whole.
        min_side: Images whose shorter side is below this are upscaled so that
            the shorter side equals it (bicubic), so at least one patch fits.
    """

    patch_size: int = 224
    stride: int = 128
    include_global: bool = True
    pre_resize: tuple[int, int] | None = None
    max_side: int | None = None
    min_side: int = 224

    def __post_init__(self) -> None:
        if self.patch_size < 1 or self.stride < 1:
            raise ValueError("patch_size and stride must be positive")
        if self.min_side < self.patch_size:
            raise ValueError("min_side must be at least patch_size")
        if self.max_side is not None and self.max_side < self.min_side:
            raise ValueError("max_side must be at least min_side")
        if self.pre_resize is not None and min(self.pre_resize) < 1:
            raise ValueError("pre_resize sides must be positive")


@dataclass(frozen=True)
class ViewBox:
    """Where one view comes from in the prepared image, pixels.

    The global view covers the whole image (``top = left = 0``) and has
    ``is_global = True``.
    """

    top: int
    left: int
    height: int
    width: int
    is_global: bool = False


def _resize(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bicubic, antialiased resize of a ``(3, H, W)`` image in [0, 1], clamped."""
    if tuple(image.shape[-2:]) == size:
        return image
    out = F.interpolate(image[None], size=size, mode="bicubic", align_corners=False, antialias=True)
    return out[0].clamp_(0.0, 1.0)


def pre_resize_8bit(image: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """The paper's pre-resize: PIL's bicubic filter on 8-bit pixels, kept 8-bit.

    ``(3, H, W)`` floats in [0, 1] become ``round(x * 255)`` bytes (no ties arise from
    8- or 16-bit sources), are resized with ``Image.resize((w, h), BICUBIC)`` and come
    back as ``bytes / 255``. The result is 8-bit even when ``size`` is the native size.
    """
    height, width = size
    pixels = (image.detach().cpu().clamp(0.0, 1.0) * 255.0).round().to(torch.uint8)
    resized = Image.fromarray(pixels.permute(1, 2, 0).numpy(), "RGB").resize(
        (width, height), Image.Resampling.BICUBIC
    )
    out = torch.from_numpy(np.array(resized)).permute(2, 0, 1).float() / 255.0
    return out.to(image.device)


def prepared_size(height: int, width: int, config: ViewConfig) -> tuple[int, int]:
    """Size ``(H, W)`` of the image after :func:`prepare`, without touching pixels."""
    if config.pre_resize is not None:
        height, width = config.pre_resize
    if config.max_side is not None and max(height, width) > config.max_side:
        scale = config.max_side / max(height, width)
        height, width = max(1, round(height * scale)), max(1, round(width * scale))
    if min(height, width) < config.min_side:
        scale = config.min_side / min(height, width)
        height = max(config.min_side, math.ceil(height * scale - 1e-9))
        width = max(config.min_side, math.ceil(width * scale - 1e-9))
    return height, width


def prepare(image: torch.Tensor, config: ViewConfig) -> torch.Tensor:
    """Resize a ``(3, H, W)`` image in [0, 1] as the config asks (see :class:`ViewConfig`).

    The pre-resize comes first (:func:`pre_resize_8bit`); the cap on the longer side
    and the minimum-size upscale then resize the float pixels (bicubic, antialiased).
    """
    if config.pre_resize is not None:
        image = pre_resize_8bit(image, config.pre_resize)
    target = prepared_size(image.shape[-2], image.shape[-1], replace(config, pre_resize=None))
    return _resize(image, target)


def _starts(length: int, patch: int, stride: int) -> range:
    return range(0, length - patch + 1, stride)


def view_boxes(height: int, width: int, config: ViewConfig) -> list[ViewBox]:
    """Views of a prepared ``height`` × ``width`` image, in scoring order.

    Patches come row by row (top to bottom, then left to right), then the
    global view if enabled.
    """
    p = config.patch_size
    boxes = [
        ViewBox(top, left, p, p)
        for top in _starts(height, p, config.stride)
        for left in _starts(width, p, config.stride)
    ]
    if config.include_global:
        boxes.append(ViewBox(0, 0, height, width, is_global=True))
    return boxes


def count_views(height: int, width: int, config: ViewConfig = ViewConfig()) -> int:
    """Number of views for an image of native size ``height`` × ``width``."""
    return len(view_boxes(*prepared_size(height, width, config), config))


def cut_view(normalised: torch.Tensor, box: ViewBox, patch_size: int) -> torch.Tensor:
    """One view ``(3, patch_size, patch_size)`` of a normalised ``(3, H, W)`` image.

    Patches are plain crops; the global view is the whole image resized
    bilinearly (``align_corners=False``, no antialias) as in the paper's code.
    """
    if box.is_global:
        return F.interpolate(
            normalised[None], size=(patch_size, patch_size), mode="bilinear", align_corners=False
        )[0]
    return normalised[:, box.top : box.top + box.height, box.left : box.left + box.width]


def cut_views(normalised: torch.Tensor, boxes: list[ViewBox], patch_size: int) -> torch.Tensor:
    """The views of ``boxes`` stacked as ``(len(boxes), 3, patch_size, patch_size)``.

    Callers pass a slice of the boxes at a time, so memory stays bounded.
    """
    return torch.stack([cut_view(normalised, box, patch_size) for box in boxes])
