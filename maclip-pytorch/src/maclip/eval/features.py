"""Scores of many images from their stored features, with any method and parameters.

A :class:`FeatureSet` holds the per-view embeddings of a set of images,
concatenated, with the prompt embeddings. :meth:`FeatureSet.scores` runs
:func:`maclip.quality.score_views` over all views at once (in chunks, so memory
stays bounded) and averages each image's views, exactly as
:class:`maclip.Scorer` does for one image; :meth:`FeatureSet.result` rebuilds a
full :class:`~maclip.ImageResult` for one image. No model is involved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..images import ImageError
from ..quality import FusionParams, Method, ViewScores, score_views
from ..results import ImageResult
from ..scorer import ImageFeatures
from .cache import TextFeatures

#: The paper's defaults (λ 0.5, α 1, b_sim 1, b_mag 0.6).
DEFAULT_PARAMS = FusionParams()

#: Views scored per :func:`score_views` call (bounds the temporary memory).
CHUNK_VIEWS = 32768


@dataclass(frozen=True)
class ImageScores:
    """Per-image means over views; every array is ``(n,)`` float64.

    Attributes:
        q: Final score. q_sim, q_mag: The two cues. w_sim: Fusion weight of ``q_sim``.
    """

    q: np.ndarray
    q_sim: np.ndarray
    q_mag: np.ndarray
    w_sim: np.ndarray


class FeatureSet:
    """Stored features of ``n`` images, ready to be scored under any settings.

    Args:
        items: Per-image features (from :class:`~maclip.eval.cache.CachedEncoder`).
        text: The prompt embeddings and logit scale they are scored against.

    Raises:
        ImageError: when ``items`` holds one (an input that could not be decoded).
    """

    def __init__(self, items: Iterable[ImageFeatures | ImageError], text: TextFeatures) -> None:
        self.items: list[ImageFeatures] = []
        for item in items:
            if isinstance(item, ImageError):
                raise item
            self.items.append(item)
        self.text = text
        counts = [len(item.boxes) for item in self.items]
        self.keys = [item.key for item in self.items]
        self.counts = torch.tensor(counts, dtype=torch.float64)
        self.image_index = torch.repeat_interleave(torch.arange(len(counts)), torch.tensor(counts))
        dim = text.features.shape[-1]
        self.features = (
            torch.cat([item.features for item in self.items]) if self.items else torch.empty(0, dim)
        )
        offset = 0
        for item, count in zip(self.items, counts, strict=True):  # share memory, drop the copies
            item.features = self.features[offset : offset + count]
            offset += count

    def __len__(self) -> int:
        return len(self.items)

    def view_scores(self, method: Method, params: FusionParams) -> ViewScores:
        """Scores of every view of every image, ``(V_total,)`` per field."""
        parts = [
            score_views(
                self.features[start : start + CHUNK_VIEWS],
                self.text.features,
                self.text.logit_scale,
                method,
                params,
            )
            for start in range(0, len(self.features), CHUNK_VIEWS)
        ]
        return ViewScores(*(torch.cat([getattr(p, f) for p in parts]) for f in _FIELDS))

    def scores(
        self, method: Method = "maclip", params: FusionParams = DEFAULT_PARAMS
    ) -> ImageScores:
        """Per-image scores: the mean over each image's views, as the scorer reports them."""
        if not self.items:
            empty = np.empty(0)
            return ImageScores(empty, empty, empty, empty)
        views = self.view_scores(method, params)
        return ImageScores(*(self._image_mean(getattr(views, f)) for f in _FIELDS[:4]))

    def _image_mean(self, values: torch.Tensor) -> np.ndarray:
        total = torch.zeros(len(self.items), dtype=torch.float64)
        total.index_add_(0, self.image_index, values.double())
        return (total / self.counts).numpy()

    def result(
        self, i: int, method: Method = "maclip", params: FusionParams = DEFAULT_PARAMS
    ) -> ImageResult:
        """The full :class:`~maclip.ImageResult` of image ``i`` (with per-view scores)."""
        item = self.items[i]
        scores = score_views(
            item.features, self.text.features, self.text.logit_scale, method, params
        )
        return ImageResult.from_scores(
            item.key, scores, item.boxes, self.text.prompts, item.size, item.prepared_size
        )

    def subset(self, indices: Sequence[int]) -> FeatureSet:
        """The images at ``indices``, in that order."""
        return FeatureSet([self.items[i] for i in indices], self.text)


_FIELDS = ("q", "q_sim", "q_mag", "w_sim", "w_mag", "pair_probs")
