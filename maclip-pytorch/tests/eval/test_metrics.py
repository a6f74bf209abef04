"""Metrics against scipy: Spearman, Kendall τ-b, Pearson, the logistic fit, bootstrap CIs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from maclip.eval.metrics import (
    bootstrap_ci,
    fit_logistic,
    krcc,
    logistic5,
    pearson,
    plcc,
    rank,
    rmse,
    srcc,
)


def _data(n: int, seed: int, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = np.tanh(2 * x) + 0.3 * rng.normal(size=n)
    if ties:
        x, y = np.round(x, 1), np.round(y, 1)
    return x, y


@pytest.mark.parametrize(("n", "seed", "ties"), [(7, 0, False), (200, 1, False), (300, 2, True)])
def test_rank_correlations_match_scipy(n: int, seed: int, ties: bool) -> None:
    x, y = _data(n, seed, ties)
    assert srcc(x, y) == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
    assert krcc(x, y, chunk=64) == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-12)
    assert pearson(x, y) == pytest.approx(stats.pearsonr(x, y).statistic, abs=1e-12)
    np.testing.assert_allclose(rank(x), stats.rankdata(x))


def test_signs_and_degenerate_inputs() -> None:
    x = np.arange(10.0)
    assert srcc(x, -x) == pytest.approx(-1.0)
    assert krcc(x, x**3) == pytest.approx(1.0)
    assert np.isnan(srcc(np.ones(5), x[:5]))
    with pytest.raises(ValueError, match="differ in length"):
        srcc(x, x[:5])
    with pytest.raises(ValueError, match="at least two"):
        srcc([1.0], [2.0])


def test_logistic_fit_matches_curve_fit() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0.2, 0.9, 400)
    y = logistic5(x, 60.0, 12.0, 0.55, 5.0, 50.0) + rng.normal(0, 2.0, x.size)
    fit = fit_logistic(x, y)
    assert fit.kind == "logistic"
    start = [np.ptp(y), 1 / np.std(x), np.mean(x), 0.0, np.mean(y)]
    reference, _ = optimize.curve_fit(logistic5, x, y, p0=start, maxfev=20000)
    np.testing.assert_allclose(fit(x), logistic5(x, *reference), atol=1e-3)
    mapped = logistic5(x, *reference)
    assert plcc(x, y) == pytest.approx(stats.pearsonr(mapped, y).statistic, abs=1e-6)
    assert rmse(x, y) == pytest.approx(np.sqrt(np.mean((mapped - y) ** 2)), abs=1e-4)


def test_logistic_fit_falls_back_to_a_line() -> None:
    x = np.array([0.0, 1.0, 2.0])  # too few points for 5 parameters
    fit = fit_logistic(x, 2 * x + 1)
    assert fit.kind == "linear"
    np.testing.assert_allclose(fit(x), 2 * x + 1, atol=1e-9)
    constant = fit_logistic(np.ones(20), np.arange(20.0))
    assert constant.kind == "linear"
    np.testing.assert_allclose(constant(np.ones(3)), 9.5)
    assert np.isnan(plcc(np.ones(20), np.arange(20.0)))


def test_bootstrap_interval_brackets_the_estimate_and_is_seeded() -> None:
    x, y = _data(300, 4)
    first = bootstrap_ci(srcc, x, y, n_boot=300, seed=7)
    again = bootstrap_ci(srcc, x, y, n_boot=300, seed=7)
    assert first == again
    assert first.low < first.value < first.high
    assert first.high - first.low < 0.2
    wider = bootstrap_ci(srcc, x[:30], y[:30], n_boot=300, seed=7)
    assert wider.high - wider.low > first.high - first.low
    none = bootstrap_ci(srcc, x, y, n_boot=0)
    assert np.isnan(none.low) and none.value == first.value
