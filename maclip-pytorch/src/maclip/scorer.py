"""The :class:`Scorer`: images in, MA-CLIP results out.

It decodes and prepares the inputs (in worker processes, see
:mod:`maclip.pipeline`, while the encoder runs), cuts their views on the
encoder's device, packs views from many images into full encoder batches
(``batch_size`` views per forward, so memory is bounded whatever the image
sizes), splits the embeddings back per image and scores them with
:mod:`maclip.quality`. Results come back in input order; an input
that cannot be decoded gets a result with ``error`` set and never stops the
others. Each image's score depends only on its own views, so scores do not
depend on batch size, order or batch mates (up to floating-point rounding of
the encoder kernels).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image

from .backbone import Backbone, PosEmbedding, load_backbone
from .images import DEFAULT_MAX_PIXELS, ImageError, ImageSource
from .pipeline import Failed, Prepared, Preparer, default_workers, iter_prepared
from .quality import DEFAULT_PROMPT_PAIRS, METHODS, FusionParams, Method, ViewScores, score_views
from .results import ImageResult
from .views import ViewBox, ViewConfig, cut_views


@dataclass
class ImageFeatures:
    """Unnormalised embeddings of one image's views, before any scoring.

    Attributes:
        key: The input's name.
        size: ``(height, width)`` of the decoded image.
        prepared_size: ``(height, width)`` after resizing (the frame of ``boxes``).
        boxes: The ``V`` views, in order.
        features: ``(V, D)`` float32 embeddings on the CPU.
    """

    key: str
    size: tuple[int, int]
    prepared_size: tuple[int, int]
    boxes: list[ViewBox]
    features: torch.Tensor


@dataclass
class _Job:
    """An image whose views are being encoded."""

    key: str
    size: tuple[int, int]
    prepared_size: tuple[int, int]
    boxes: list[ViewBox]
    parts: list[torch.Tensor] = field(default_factory=list)
    done: int = 0

    @classmethod
    def of(cls, item: Prepared) -> _Job:
        return cls(item.key, item.size, item.prepared_size, item.boxes)

    @property
    def complete(self) -> bool:
        return self.done == len(self.boxes)

    def result(self) -> ImageFeatures:
        return ImageFeatures(
            self.key, self.size, self.prepared_size, self.boxes, torch.cat(self.parts)
        )


class Scorer:
    """Score image quality with MA-CLIP (or its single-cue ablations).

    Example:
        >>> scorer = Scorer()                      # OpenAI CLIP RN50, best device
        >>> [r.q for r in scorer.score(["a.jpg", "b.png"])]

    Args:
        backbone: open_clip model name (``maclip-pytorch models`` lists them), or a loaded
            :class:`~maclip.backbone.Backbone`.
        pretrained: open_clip pretrained tag; ``None``/``"random"`` for random weights.
        checkpoint: Local state-dict file used instead of downloading ``pretrained``.
        model_config: Custom open_clip model config JSON to register (for ``backbone``).
        device: ``"auto"``, ``"cpu"``, ``"cuda[:N]"`` or ``"mps"``.
        precision: Visual-encoder precision: ``"fp32"``, ``"fp16"``, ``"bf16"`` or ``"auto"``.
        batch_size: Views per encoder forward (the memory bound), ``>= 1``.
        method: ``"maclip"`` (fusion), ``"clipiqa"`` (``Q_sim`` only), ``"magnitude"`` (``Q_mag``).
        prompts: Antonym prompt pairs ``(positive, negative)``.
        lam, alpha, b_sim, b_mag: Box-Cox λ, fusion α and base logits.
        views: How images are cut (see :class:`~maclip.views.ViewConfig`).
        pos_embedding: ``"drop"`` (paper) or ``"interpolate"``.
        max_pixels: Refuse images with more pixels than this (decompression bombs).
        cache_dir: Download cache for pretrained weights.
        workers: Processes that decode inputs while the encoder runs (``0``: decode in
            this process); ``None`` picks :func:`~maclip.pipeline.default_workers`.
        channels_last: NHWC layout for ResNet convolutions; ``None`` picks the faster
            layout for the device (:func:`~maclip.backbone.default_channels_last`).
        compile: Compile the visual encoder with :func:`torch.compile` (slow first batch).
    """

    def __init__(
        self,
        backbone: str | Backbone = "RN50",
        pretrained: str | None = "openai",
        *,
        checkpoint: str | os.PathLike | None = None,
        model_config: str | os.PathLike | None = None,
        device: str | torch.device = "auto",
        precision: str = "fp32",
        batch_size: int = 64,
        method: Method = "maclip",
        prompts: Sequence[tuple[str, str]] = DEFAULT_PROMPT_PAIRS,
        lam: float = 0.5,
        alpha: float = 1.0,
        b_sim: float = 1.0,
        b_mag: float = 0.6,
        views: ViewConfig | None = None,
        pos_embedding: PosEmbedding = "drop",
        max_pixels: int = DEFAULT_MAX_PIXELS,
        cache_dir: str | os.PathLike | None = None,
        workers: int | None = None,
        channels_last: bool | None = None,
        compile: bool = False,
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if workers is not None and workers < 0:
            raise ValueError("workers must be 0 or more")
        if isinstance(backbone, Backbone):
            self.backbone = backbone
        else:
            self.backbone = load_backbone(
                backbone,
                pretrained,
                checkpoint=checkpoint,
                model_config=model_config,
                device=device,
                precision=precision,
                pos_embedding=pos_embedding,
                cache_dir=cache_dir,
            )
        self.backbone.set_speed(channels_last=channels_last, compile=compile, batch_size=batch_size)
        self.workers = default_workers(self.backbone.device) if workers is None else workers
        self.batch_size = batch_size
        self.method: Method = method
        self.prompts = tuple((str(p), str(n)) for p, n in prompts)
        self.params = FusionParams(lam=lam, alpha=alpha, b_sim=b_sim, b_mag=b_mag)
        self.views = views or ViewConfig()
        self.max_pixels = max_pixels
        self.text_features = self.backbone.prompt_features(self.prompts).cpu()

    # -- encoding -----------------------------------------------------------------------
    def preparer(self) -> Preparer:
        """How this scorer decodes, resizes and normalises one input (picklable)."""
        return Preparer(self.views, self.max_pixels, self.backbone.mean, self.backbone.std)

    def iter_features(self, sources: Iterable[ImageSource]) -> Iterator[ImageFeatures | ImageError]:
        """Encode the views of every input, packing views of many images per forward.

        Inputs are prepared by :func:`~maclip.pipeline.iter_prepared` (``workers``
        processes for a sequence of inputs), moved to the encoder's device (non-blocking
        from pinned memory on CUDA) and cut into views there; at most ``batch_size``
        views are in flight.

        Yields, in input order, an :class:`ImageFeatures` per decoded input or the
        :class:`~maclip.images.ImageError` of an input that could not be decoded.
        """
        device = self.backbone.device
        order: deque[_Job | ImageError] = deque()
        batch: list[tuple[_Job, torch.Tensor]] = []
        filled = 0

        def flush() -> None:
            nonlocal filled
            features = self.backbone.encode_views(torch.cat([v for _, v in batch])).cpu()
            offset = 0
            for job, views in batch:
                job.parts.append(features[offset : offset + len(views)])
                job.done += len(views)
                offset += len(views)
            batch.clear()
            filled = 0

        def ready() -> Iterator[ImageFeatures | ImageError]:
            while order and (isinstance(order[0], ImageError) or order[0].complete):
                head = order.popleft()
                yield head if isinstance(head, ImageError) else head.result()

        pin = device.type == "cuda"
        for item in iter_prepared(sources, self.preparer(), self.workers, pin_memory=pin):
            if isinstance(item, Failed):
                order.append(item.error())
                yield from ready()
                continue
            job = _Job.of(item)
            order.append(job)
            image = item.image.to(device, non_blocking=True)
            boxes, cut = item.boxes, 0
            while cut < len(boxes):
                take = min(self.batch_size - filled, len(boxes) - cut)
                views = cut_views(image, boxes[cut : cut + take], self.views.patch_size)
                batch.append((job, views))
                filled += take
                cut += take
                if filled >= self.batch_size:
                    flush()
                    yield from ready()
        if batch:
            flush()
        yield from ready()

    # -- scoring ------------------------------------------------------------------------
    def score_features(self, features: torch.Tensor) -> ViewScores:
        """Per-view scores of ``(V, D)`` unnormalised embeddings with this scorer's settings."""
        return score_views(
            features, self.text_features, self.backbone.logit_scale, self.method, self.params
        )

    def result_from_features(self, item: ImageFeatures) -> ImageResult:
        """Turn encoded views into an :class:`ImageResult`."""
        return ImageResult.from_scores(
            item.key,
            self.score_features(item.features),
            item.boxes,
            self.prompts,
            item.size,
            item.prepared_size,
        )

    def iter_score(self, sources: Iterable[ImageSource]) -> Iterator[ImageResult]:
        """Score inputs lazily, yielding one :class:`ImageResult` per input, in order."""
        for item in self.iter_features(sources):
            if isinstance(item, ImageError):
                yield ImageResult.failed(item.source, item.reason)
            else:
                yield self.result_from_features(item)

    def score(self, images: ImageSource | Iterable[ImageSource]) -> list[ImageResult]:
        """Score one input or many.

        Args:
            images: A path, bytes, PIL image, numpy array, ``(3, H, W)`` tensor, a
                ``(B, 3, H, W)`` tensor in [0, 1], or an iterable of any of these.

        Returns:
            One :class:`ImageResult` per image, in order; failed inputs have ``error`` set.
        """
        return list(self.iter_score(_as_sources(images)))

    def __call__(self, images: ImageSource | Iterable[ImageSource]) -> torch.Tensor:
        """Final scores ``Q``, ``(B,)`` float32; raises :class:`ImageError` on a bad input."""
        results = self.score(images)
        for result in results:
            if result.error is not None:
                raise ImageError(result.key, result.error)
        return torch.tensor([r.q for r in results], dtype=torch.float32)


def _as_sources(images: ImageSource | Iterable[ImageSource]) -> Iterable[ImageSource]:
    """Split a ``(B, 3, H, W)`` tensor into images; wrap a single input in a list."""
    if isinstance(images, torch.Tensor):
        if images.ndim == 4:
            return list(images)
        return [images]
    single = (str, os.PathLike, bytes, np.ndarray, Image.Image)
    if isinstance(images, single) or not isinstance(images, Iterable):
        return [images]
    return images
