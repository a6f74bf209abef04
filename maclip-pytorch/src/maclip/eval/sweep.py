"""Grid search of λ, α and the base logits on cached features, with a held-out split.

:func:`run_sweep` scores every grid point on every dataset from a
:class:`~maclip.eval.features.FeatureSet` (no model runs), picks the best point
by SRCC on the *tuning* part of each dataset and on the mean over datasets, and
reports those points on the *held-out* part, so that a tuned setting is never
reported on the data it was tuned on (unless ``holdout = 0``, which tunes and
reports on everything and says so).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ..quality import FusionParams, Method
from .features import FeatureSet
from .metrics import plcc, srcc


@dataclass(frozen=True)
class Grid:
    """Values tried for each parameter (the grid is their Cartesian product)."""

    lam: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    alpha: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    b_sim: tuple[float, ...] = (1.0,)
    b_mag: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8, 1.0)

    def points(self) -> list[FusionParams]:
        return [
            FusionParams(*p)
            for p in itertools.product(self.lam, self.alpha, self.b_sim, self.b_mag)
        ]


def split_indices(n: int, holdout: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random ``(tune, test)`` index arrays; ``holdout`` is the test fraction in ``[0, 1)``.

    With ``holdout = 0`` both are all ``n`` indices.
    """
    if not 0.0 <= holdout < 1.0:
        raise ValueError(f"holdout must be in [0, 1), not {holdout}")
    everything = np.arange(n)
    if holdout == 0.0:
        return everything, everything
    order = np.random.default_rng(seed).permutation(n)
    cut = n - max(1, round(n * holdout))
    if cut < 2 or n - cut < 2:
        raise ValueError(f"a holdout of {holdout} leaves too few of {n} images on one side")
    return np.sort(order[:cut]), np.sort(order[cut:])


@dataclass(frozen=True)
class SweepData:
    """One dataset to sweep: its features and subjective scores (higher is better)."""

    name: str
    features: FeatureSet
    target: np.ndarray


@dataclass(frozen=True)
class Best:
    """A chosen grid point with its tuning SRCC and its held-out SRCC/PLCC per dataset."""

    params: FusionParams
    tune_srcc: float
    test_srcc: dict[str, float]
    test_plcc: dict[str, float]


@dataclass
class SweepReport:
    """Every grid point's tuning SRCC per dataset, and the best points.

    Attributes:
        points: The grid points, in order.
        tune_srcc: ``{dataset: (len(points),) SRCC on the tuning part}``.
        per_dataset: Best point of each dataset alone.
        overall: Best point by mean tuning SRCC over datasets.
        holdout: Held-out fraction (0: tuned and reported on all images).
        sizes: ``{dataset: (tuning images, held-out images)}``.
    """

    points: list[FusionParams]
    tune_srcc: dict[str, np.ndarray]
    per_dataset: dict[str, Best]
    overall: Best
    holdout: float
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)


def run_sweep(
    datasets: list[SweepData],
    grid: Grid,
    method: Method = "maclip",
    holdout: float = 0.5,
    seed: int = 0,
) -> SweepReport:
    """Evaluate every grid point on every dataset and choose the best settings.

    Args:
        datasets: Features and targets; at least one.
        grid: The values to try.
        method: Scoring method (``maclip`` uses all four parameters, ``magnitude`` only λ).
        holdout: Fraction of each dataset held out for reporting (split by image, seeded).
        seed: Seed of the split.
    """
    if not datasets:
        raise ValueError("nothing to sweep")
    points = grid.points()
    splits = {d.name: split_indices(len(d.features), holdout, seed) for d in datasets}
    all_q: dict[str, np.ndarray] = {}
    tune_srcc: dict[str, np.ndarray] = {}
    for data in datasets:
        tune, _ = splits[data.name]
        q = np.stack([data.features.scores(method, p).q for p in points])  # (points, n)
        all_q[data.name] = q
        tune_srcc[data.name] = np.array([srcc(row[tune], data.target[tune]) for row in q])

    def best(index: int, tune_value: float) -> Best:
        test_srcc, test_plcc = {}, {}
        for data in datasets:
            _, test = splits[data.name]
            q = all_q[data.name][index][test]
            test_srcc[data.name] = srcc(q, data.target[test])
            test_plcc[data.name] = plcc(q, data.target[test])
        return Best(points[index], tune_value, test_srcc, test_plcc)

    per_dataset = {}
    for name, values in tune_srcc.items():
        i = int(np.nanargmax(values))
        per_dataset[name] = best(i, float(values[i]))
    mean = np.mean(np.stack(list(tune_srcc.values())), axis=0)
    i = int(np.nanargmax(mean))
    sizes = {name: (len(t), len(h)) for name, (t, h) in splits.items()}
    return SweepReport(points, tune_srcc, per_dataset, best(i, float(mean[i])), holdout, sizes)
