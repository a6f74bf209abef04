"""Agreement between predicted scores and subjective scores, as pure functions.

All functions take two 1-D arrays of the same length ``n`` — predictions and
subjective scores oriented so that higher is better — and return floats.
PLCC and RMSE are computed after the usual 5-parameter logistic mapping of the
predictions onto the subjective scale (VQEG): ``β1 (0.5 − 1 / (1 + exp(β2 (x − β3))))
+ β4 x + β5``, fitted by least squares; when the fit fails (too few points,
constant predictions, no convergence) a straight line is fitted instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ArrayLike = np.ndarray | list[float]


def _pair(pred: ArrayLike, target: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(pred, dtype=np.float64).ravel()
    y = np.asarray(target, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"predictions ({x.size}) and targets ({y.size}) differ in length")
    if x.size < 2:
        raise ValueError("at least two scores are needed")
    return x, y


def rank(values: np.ndarray) -> np.ndarray:
    """Ranks ``1..n`` of a 1-D array, ties getting the mean of their ranks."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], values.size]
    mean_rank = (starts + ends + 1) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(mean_rank, ends - starts)
    return ranks


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    xc, yc = x - x.mean(), y - y.mean()
    denom = np.sqrt((xc * xc).sum() * (yc * yc).sum())
    return float((xc * yc).sum() / denom) if denom > 0 else float("nan")


def pearson(pred: ArrayLike, target: ArrayLike) -> float:
    """Pearson linear correlation of the raw values, in [-1, 1] (NaN if one side is constant)."""
    return _pearson(*_pair(pred, target))


def srcc(pred: ArrayLike, target: ArrayLike) -> float:
    """Spearman rank correlation (Pearson correlation of tie-averaged ranks), in [-1, 1]."""
    x, y = _pair(pred, target)
    return _pearson(rank(x), rank(y))


def krcc(pred: ArrayLike, target: ArrayLike, chunk: int = 1024) -> float:
    """Kendall rank correlation τ-b (ties accounted for), in [-1, 1].

    Counts concordant and discordant pairs exactly, ``chunk`` rows at a time
    (``O(n²)`` time, ``O(chunk · n)`` memory: about a second for ``n = 10⁴``).
    """
    x, y = _pair(pred, target)
    concordance = 0.0
    tied_x = tied_y = 0  # pairs tied in x (resp. y), counting each unordered pair twice
    for start in range(0, x.size, chunk):
        dx = np.sign(x[start : start + chunk, None] - x[None, :])
        dy = np.sign(y[start : start + chunk, None] - y[None, :])
        concordance += float((dx * dy).sum())
        tied_x += int((dx == 0).sum()) - min(chunk, x.size - start)
        tied_y += int((dy == 0).sum()) - min(chunk, x.size - start)
    pairs = x.size * (x.size - 1)
    denom = np.sqrt(float(pairs - tied_x) * float(pairs - tied_y))
    return concordance / denom if denom > 0 else float("nan")


def logistic5(x: np.ndarray, b1: float, b2: float, b3: float, b4: float, b5: float) -> np.ndarray:
    """The 5-parameter logistic ``b1 (0.5 − 1 / (1 + exp(b2 (x − b3)))) + b4 x + b5``."""
    z = np.clip(b2 * (x - b3), -500.0, 500.0)
    return b1 * (0.5 - 1.0 / (1.0 + np.exp(z))) + b4 * x + b5


@dataclass(frozen=True)
class MonotonicFit:
    """A fitted mapping from predictions to the subjective scale.

    Attributes:
        params: ``(β1..β5)`` of :func:`logistic5`, or ``(0, 0, 0, slope, intercept)``
            for the linear fallback (the same formula with ``β1 = 0``).
        kind: ``"logistic"`` or ``"linear"`` (the fallback).
    """

    params: tuple[float, float, float, float, float]
    kind: str

    def __call__(self, x: ArrayLike) -> np.ndarray:
        """Mapped values of predictions ``x``."""
        return logistic5(np.asarray(x, dtype=np.float64), *self.params)


def fit_logistic(pred: ArrayLike, target: ArrayLike, max_evaluations: int = 600) -> MonotonicFit:
    """Least-squares fit of :func:`logistic5` mapping ``pred`` onto ``target``.

    The fit runs on standardised ``x`` and ``y`` (well conditioned whatever the
    units) from a sigmoid spanning ``y``'s range centred on ``x``'s mean, with
    Levenberg-Marquardt; the parameters are returned in the original units. It
    falls back to a least-squares line when there are fewer than 5 points, the
    predictions are constant, or the fit does not converge within
    ``max_evaluations`` evaluations to finite values.
    """
    from scipy.optimize import least_squares  # scipy: the eval extra, imported when needed

    x, y = _pair(pred, target)
    mx, sx, my, sy = x.mean(), x.std(), y.mean(), y.std() or 1.0
    if x.size >= 5 and sx > 0:
        u, v = (x - mx) / sx, (y - my) / sy
        direction = 1.0 if _pearson(u, v) >= 0 else -1.0
        start = np.array([direction * float(np.ptp(v)), 1.0, 0.0, 0.0, 0.0])
        try:
            fit = least_squares(
                lambda p: logistic5(u, *p) - v, start, method="lm", max_nfev=max_evaluations
            )
        except (ValueError, RuntimeError):
            fit = None
        if fit is not None and fit.success and np.all(np.isfinite(fit.x)):
            b1, b2, b3, b4, b5 = (float(p) for p in fit.x)
            params = (
                sy * b1,
                b2 / sx,
                mx + sx * b3,
                sy * b4 / sx,
                sy * b5 - sy * b4 * mx / sx + my,
            )
            return MonotonicFit(params, "logistic")
    slope, intercept = np.polyfit(x, y, 1) if sx > 0 else (0.0, float(my))
    return MonotonicFit((0.0, 0.0, 0.0, float(slope), float(intercept)), "linear")


def plcc(pred: ArrayLike, target: ArrayLike) -> float:
    """Pearson correlation after the logistic mapping, in [-1, 1]."""
    x, y = _pair(pred, target)
    return _pearson(fit_logistic(x, y)(x), y)


def rmse(pred: ArrayLike, target: ArrayLike) -> float:
    """Root mean squared error after the logistic mapping, in the target's units."""
    x, y = _pair(pred, target)
    return float(np.sqrt(np.mean((fit_logistic(x, y)(x) - y) ** 2)))


METRICS: dict[str, Callable[[ArrayLike, ArrayLike], float]] = {
    "srcc": srcc,
    "krcc": krcc,
    "plcc": plcc,
    "rmse": rmse,
}


@dataclass(frozen=True)
class Interval:
    """A point estimate with a percentile-bootstrap confidence interval."""

    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.4f} [{self.low:.3f}, {self.high:.3f}]"


def bootstrap_ci(
    metric: Callable[[ArrayLike, ArrayLike], float],
    pred: ArrayLike,
    target: ArrayLike,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """``metric`` with a percentile bootstrap confidence interval.

    Resamples the ``n`` (prediction, target) pairs with replacement ``n_boot``
    times (seeded, so reruns agree) and takes the ``(1 − level) / 2`` and
    ``(1 + level) / 2`` quantiles of the metric; resamples where it is NaN are
    ignored. ``n_boot = 0`` gives the point estimate with a NaN interval.
    """
    x, y = _pair(pred, target)
    value = metric(x, y)
    if n_boot <= 0:
        return Interval(value, float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    samples = np.array([metric(x[i], y[i]) for i in rng.integers(0, x.size, (n_boot, x.size))])
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return Interval(value, float("nan"), float("nan"))
    low, high = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2])
    return Interval(value, float(low), float(high))
