"""Result records: one per image, with its per-view breakdown.

These are plain data, built from :class:`maclip.quality.ViewScores` and the
view boxes, and flattened for CSV / JSON output by :meth:`ImageResult.to_row`
and :meth:`ImageResult.to_dict`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .quality import ViewScores
from .views import ViewBox

NAN = float("nan")

#: Scalar score fields, in output order.
SCORE_FIELDS = ("q", "q_sim", "q_mag", "w_sim", "w_mag")


@dataclass(frozen=True)
class ViewResult:
    """Scores of one view and where it lies in the prepared image (pixels)."""

    top: int
    left: int
    height: int
    width: int
    is_global: bool
    q: float
    q_sim: float
    q_mag: float
    w_sim: float
    w_mag: float


@dataclass
class ImageResult:
    """Scores of one image; ``error`` is set (and scores are NaN) when it could not be scored.

    Attributes:
        key: The input's name (its path for files).
        q: Final quality score, mean of the per-view fused scores (higher is better).
        q_sim, q_mag, w_sim, w_mag: Means over views of the cues and fusion weights.
        pair_probs: Mean positive-prompt probability per pair, keyed by the positive prompt.
        num_views: Number of views scored.
        size: ``(height, width)`` of the decoded image, pixels.
        prepared_size: ``(height, width)`` after resizing, in which view boxes are given.
        views: Per-view scores and boxes (patches row by row, then the global view).
        error: One-line reason the image failed, else ``None``.
    """

    key: str
    q: float = NAN
    q_sim: float = NAN
    q_mag: float = NAN
    w_sim: float = NAN
    w_mag: float = NAN
    pair_probs: dict[str, float] = field(default_factory=dict)
    num_views: int = 0
    size: tuple[int, int] = (0, 0)
    prepared_size: tuple[int, int] = (0, 0)
    views: list[ViewResult] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the image was scored."""
        return self.error is None

    @classmethod
    def failed(cls, key: str, reason: str) -> ImageResult:
        """A result for an input that could not be scored."""
        return cls(key=key, error=reason)

    @classmethod
    def from_scores(
        cls,
        key: str,
        scores: ViewScores,
        boxes: Sequence[ViewBox],
        prompts: Sequence[tuple[str, str]],
        size: tuple[int, int],
        prepared_size: tuple[int, int],
    ) -> ImageResult:
        """Aggregate per-view scores (``N`` rows, one per box) into an image result."""
        mean = scores.mean()
        rows = zip(
            boxes,
            scores.q.tolist(),
            scores.q_sim.tolist(),
            scores.q_mag.tolist(),
            scores.w_sim.tolist(),
            scores.w_mag.tolist(),
            strict=True,
        )
        views = [
            ViewResult(b.top, b.left, b.height, b.width, b.is_global, q, qs, qm, ws, wm)
            for b, q, qs, qm, ws, wm in rows
        ]
        probs = mean.pair_probs[0].tolist()
        return cls(
            key=key,
            q=float(mean.q),
            q_sim=float(mean.q_sim),
            q_mag=float(mean.q_mag),
            w_sim=float(mean.w_sim),
            w_mag=float(mean.w_mag),
            pair_probs={pos: float(p) for (pos, _), p in zip(prompts, probs, strict=True)},
            num_views=len(boxes),
            size=size,
            prepared_size=prepared_size,
            views=views,
        )

    def to_row(self) -> dict[str, Any]:
        """Flat record for tables and CSV: key, scores, views, size, error."""
        row: dict[str, Any] = {"path": self.key}
        row.update({name: _clean(getattr(self, name)) for name in SCORE_FIELDS})
        row["views"] = self.num_views
        row["height"], row["width"] = self.size
        row["error"] = self.error or ""
        return row

    def to_dict(self, include_views: bool = False) -> dict[str, Any]:
        """JSON-ready record; NaN becomes ``null``. Per-view scores only on request."""
        out = self.to_row()
        out["error"] = self.error
        out["pair_probs"] = {k: _clean(v) for k, v in self.pair_probs.items()}
        out["prepared_height"], out["prepared_width"] = self.prepared_size
        if include_views:
            out["view_scores"] = [asdict(v) for v in self.views]
        return out


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else value
