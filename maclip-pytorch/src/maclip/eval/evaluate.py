"""Scores and metrics of a dataset for several methods, from a :class:`FeatureSet`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..quality import FusionParams, Method
from .features import DEFAULT_PARAMS, FeatureSet, ImageScores
from .metrics import Interval, bootstrap_ci, fit_logistic, krcc, pearson, srcc


@dataclass(frozen=True)
class MethodMetrics:
    """Agreement of one method's scores with the subjective scores of one dataset.

    Attributes:
        n: Images scored.
        srcc, plcc: Point estimates with bootstrap 95% intervals.
        krcc: Kendall τ-b.
        rmse: Error after the logistic mapping, in the dataset's score units.
    """

    n: int
    srcc: Interval
    krcc: float
    plcc: Interval
    rmse: float

    def to_dict(self) -> dict[str, float]:
        return {
            "n": self.n,
            "srcc": self.srcc.value,
            "srcc_low": self.srcc.low,
            "srcc_high": self.srcc.high,
            "krcc": self.krcc,
            "plcc": self.plcc.value,
            "plcc_low": self.plcc.low,
            "plcc_high": self.plcc.high,
            "rmse": self.rmse,
        }


def method_metrics(
    pred: np.ndarray, target: np.ndarray, n_boot: int = 1000, seed: int = 0
) -> MethodMetrics:
    """All metrics of predictions ``pred`` against ``target`` (both ``(n,)``, higher is better).

    The logistic mapping is fitted once on all images; PLCC's interval resamples the
    mapped predictions (refitting per resample would cost a fit each and changes
    little for datasets of hundreds of images or more).
    """
    mapped = fit_logistic(pred, target)(pred)
    return MethodMetrics(
        n=len(pred),
        srcc=bootstrap_ci(srcc, pred, target, n_boot, seed=seed),
        krcc=krcc(pred, target),
        plcc=bootstrap_ci(pearson, mapped, target, n_boot, seed=seed),
        rmse=float(np.sqrt(np.mean((mapped - target) ** 2))),
    )


@dataclass(frozen=True)
class MethodResult:
    """One method on one dataset: per-image scores and their metrics."""

    scores: ImageScores
    metrics: MethodMetrics


def evaluate_features(
    features: FeatureSet,
    target: Sequence[float] | np.ndarray,
    methods: Sequence[Method],
    params: FusionParams = DEFAULT_PARAMS,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, MethodResult]:
    """Score every image with each method and compare with ``target`` (higher is better)."""
    target = np.asarray(target, dtype=np.float64)
    results: dict[str, MethodResult] = {}
    for method in methods:
        scores = features.scores(method, params)
        results[method] = MethodResult(scores, method_metrics(scores.q, target, n_boot, seed))
    return results


def per_group_srcc(q: np.ndarray, level: np.ndarray, groups: np.ndarray) -> tuple[float, float]:
    """SRCC of ``q`` with ``−level`` pooled over all images, and its mean within each group.

    Used by the synthetic benchmark: 1 means the score falls monotonically as the
    distortion level grows; groups are the source photos.
    """
    pooled = srcc(q, -level)
    within = [srcc(q[groups == g], -level[groups == g]) for g in np.unique(groups)]
    return pooled, float(np.nanmean(within))
