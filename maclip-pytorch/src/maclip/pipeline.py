"""Decoding and preparing images in parallel with the encoder.

:func:`iter_prepared` turns inputs into :class:`Prepared` images (decoded,
resized, CLIP-normalised, with their view boxes) or :class:`Failed` records,
in input order. With ``workers > 0`` and a sequence of inputs it runs a
:class:`torch.utils.data.DataLoader` whose worker processes decode while the
main process encodes; on CUDA the prepared images come back in pinned memory
so that their copies to the GPU can be non-blocking. One-shot iterators are
prepared in the calling process, so they are consumed lazily.

Work that fails for one input (unreadable file, too many pixels, ...) becomes a
:class:`Failed` record, never an exception, so the other inputs carry on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from .images import ImageError, ImageSource, describe, load_image
from .views import ViewBox, ViewConfig, prepare, view_boxes


@dataclass
class Prepared:
    """One decoded input, ready to be cut into views.

    Attributes:
        key: The input's name.
        size: ``(height, width)`` of the decoded image.
        prepared_size: ``(height, width)`` after resizing (the frame of ``boxes``).
        image: ``(3, H, W)`` float32 CLIP-normalised image, ``(H, W) = prepared_size``.
        boxes: The image's views, in scoring order.
    """

    key: str
    size: tuple[int, int]
    prepared_size: tuple[int, int]
    image: torch.Tensor
    boxes: list[ViewBox]

    def pin_memory(self) -> Prepared:
        """A copy whose image lies in page-locked memory (called by the DataLoader)."""
        return replace(self, image=self.image.pin_memory())


@dataclass
class Failed:
    """An input that could not be prepared, and why (picklable across processes)."""

    key: str
    reason: str

    def error(self) -> ImageError:
        """The :class:`~maclip.images.ImageError` this failure stands for."""
        return ImageError(self.key, self.reason)


@dataclass(frozen=True, eq=False)
class Preparer:
    """Decode, resize and normalise one input (picklable, so worker processes can run it).

    Attributes:
        views: How images are resized and cut.
        max_pixels: Limit on an image's pixels, decoded and prepared (decompression bombs).
        mean: ``(3,)`` normalisation mean.
        std: ``(3,)`` normalisation std.
    """

    views: ViewConfig
    max_pixels: int
    mean: torch.Tensor
    std: torch.Tensor

    def __call__(self, source: ImageSource) -> Prepared | Failed:
        key = describe(source)
        try:
            image = load_image(source, self.max_pixels, self.views)
            resized = prepare(image, self.views)
        except ImageError as err:
            return Failed(err.source, err.reason)
        except (RuntimeError, MemoryError) as err:  # e.g. an allocation that fails for one image
            return Failed(key, f"cannot prepare image ({type(err).__name__}: {err})")
        normalised = (resized - self.mean[:, None, None]) / self.std[:, None, None]
        height, width = int(normalised.shape[-2]), int(normalised.shape[-1])
        boxes = view_boxes(height, width, self.views)
        size = (int(image.shape[-2]), int(image.shape[-1]))
        return Prepared(key, size, (height, width), normalised, boxes)


class _Inputs(Dataset[Prepared | Failed]):
    """A sequence of inputs seen as a map-style dataset of prepared images."""

    def __init__(self, sources: Sequence[ImageSource], preparer: Preparer) -> None:
        self.sources = sources
        self.preparer = preparer

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, index: int) -> Prepared | Failed:
        return self.preparer(self.sources[index])


def _unchanged(item: Any) -> Any:
    """The DataLoader's collate function: items travel as they are, one at a time."""
    return item


def default_workers(device: torch.device) -> int:
    """Decoding worker processes for ``device``.

    On the CPU the encoder already uses every core and a decode costs a few
    percent of an image's encoding: on 2 cores a worker process competes with the
    encoder and measured slower than none (``benchmarks/throughput.py --ablations``),
    so workers start at 4 cores, with one worker. On an accelerator the CPU only
    decodes (about 50 KonIQ-sized images/s per worker), so up to eight keep it fed.
    """
    cores = os.cpu_count() or 1
    if device.type == "cpu":
        return 1 if cores >= 4 else 0
    return max(1, min(8, cores - 1))


def iter_prepared(
    sources: Iterable[ImageSource],
    preparer: Preparer,
    workers: int = 0,
    pin_memory: bool = False,
) -> Iterator[Prepared | Failed]:
    """Prepare every input, in input order.

    Args:
        sources: The inputs. A sequence (list, tuple) is shared among ``workers``
            worker processes; any other iterable is consumed lazily in this process.
        preparer: What to do with each input.
        workers: Worker processes; ``0`` prepares in the calling process.
        pin_memory: Return images in page-locked memory (for non-blocking GPU copies).

    Yields:
        A :class:`Prepared` or :class:`Failed` per input, in order.
    """
    if workers < 0:
        raise ValueError("workers must be 0 or more")
    if workers == 0 or not isinstance(sources, Sequence) or len(sources) < 2:
        for source in sources:
            item = preparer(source)
            yield item.pin_memory() if pin_memory and isinstance(item, Prepared) else item
        return
    loader = DataLoader(
        _Inputs(sources, preparer),
        batch_size=None,
        num_workers=min(workers, len(sources)),
        collate_fn=_unchanged,
        pin_memory=pin_memory,
        prefetch_factor=2,
    )
    yield from loader
