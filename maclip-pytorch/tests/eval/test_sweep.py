"""Scores from cached features equal direct scoring; sweeps pick the best point honestly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from maclip import ImageError, Scorer
from maclip.eval.cache import CachedEncoder, FeatureCache
from maclip.eval.features import FeatureSet
from maclip.eval.metrics import srcc
from maclip.eval.sweep import Grid, SweepData, run_sweep, split_indices
from maclip.quality import FusionParams

from ..conftest import TinyModel, save_photo

SETTINGS = [
    ("maclip", FusionParams()),
    ("maclip", FusionParams(lam=0.0, alpha=3.0, b_sim=0.2, b_mag=1.1)),
    ("clipiqa", FusionParams()),
    ("magnitude", FusionParams(lam=1.0)),
]


@pytest.fixture(scope="module")
def cached(
    tiny_vit: TinyModel, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Scorer, list[Path], FeatureSet]:
    folder = tmp_path_factory.mktemp("sweep")
    paths = [
        save_photo(folder / f"{i}.png", 224 + 40 * (i % 3), 230 + 30 * i, seed=i) for i in range(8)
    ]
    scorer = tiny_vit.scorer()
    encoder = CachedEncoder.for_scorer(FeatureCache(folder / "cache"), scorer)
    list(encoder.encode([(str(p), p) for p in paths]))
    # read back from disk, as a later run would
    again = CachedEncoder(
        FeatureCache(folder / "cache"), encoder.key, scorer.prompts, lambda: scorer
    )
    items = [f for f in again.encode([(str(p), p) for p in paths]) if not isinstance(f, ImageError)]
    return scorer, paths, FeatureSet(items, again.text())


@pytest.mark.parametrize(("method", "params"), SETTINGS)
def test_cached_scores_equal_direct_scoring(
    cached: tuple[Scorer, list[Path], FeatureSet], method: str, params: FusionParams
) -> None:
    scorer, paths, features = cached
    direct = Scorer(
        scorer.backbone,
        method=method,
        lam=params.lam,
        alpha=params.alpha,  # type: ignore[arg-type]
        b_sim=params.b_sim,
        b_mag=params.b_mag,
    ).score(paths)
    scores = features.scores(method, params)  # type: ignore[arg-type]
    np.testing.assert_allclose(scores.q, [r.q for r in direct], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores.q_sim, [r.q_sim for r in direct], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores.q_mag, [r.q_mag for r in direct], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores.w_sim, [r.w_sim for r in direct], rtol=1e-5, atol=1e-6)
    rebuilt = features.result(3, method, params)  # type: ignore[arg-type]
    assert [(v.top, v.left, v.is_global) for v in rebuilt.views] == [
        (v.top, v.left, v.is_global) for v in direct[3].views
    ]
    assert [v.q for v in rebuilt.views] == pytest.approx([v.q for v in direct[3].views], rel=1e-5)
    assert rebuilt.pair_probs == pytest.approx(direct[3].pair_probs, rel=1e-5)


def test_sweep_picks_the_best_point_measured_directly(
    cached: tuple[Scorer, list[Path], FeatureSet],
) -> None:
    scorer, paths, features = cached
    target = np.random.default_rng(0).normal(size=len(paths))
    grid = Grid(lam=(0.0, 1.0), alpha=(0.5, 4.0), b_sim=(1.0,), b_mag=(0.2, 1.5))
    report = run_sweep([SweepData("toy", features, target)], grid, holdout=0.0)
    direct = []
    for p in grid.points():
        q = [
            r.q
            for r in Scorer(
                scorer.backbone, lam=p.lam, alpha=p.alpha, b_sim=p.b_sim, b_mag=p.b_mag
            ).score(paths)
        ]
        direct.append(srcc(q, target))
    np.testing.assert_allclose(report.tune_srcc["toy"], direct, atol=1e-9)
    best = int(np.argmax(direct))
    assert report.per_dataset["toy"].params == grid.points()[best]
    assert report.overall.params == grid.points()[best]
    assert report.overall.test_srcc["toy"] == pytest.approx(direct[best])


def test_held_out_split_reports_on_other_images(
    cached: tuple[Scorer, list[Path], FeatureSet],
) -> None:
    _, paths, features = cached
    target = np.arange(len(paths), dtype=float)
    grid = Grid(lam=(0.0, 0.5), alpha=(1.0,), b_sim=(1.0,), b_mag=(0.6,))
    report = run_sweep(
        [SweepData("a", features, target), SweepData("b", features, -target)],
        grid,
        holdout=0.5,
        seed=3,
    )
    tune, test = split_indices(len(paths), 0.5, seed=3)
    assert report.sizes == {"a": (4, 4), "b": (4, 4)}
    best = report.per_dataset["a"].params
    q = features.scores("maclip", best).q
    assert report.per_dataset["a"].test_srcc["a"] == pytest.approx(srcc(q[test], target[test]))
    assert report.per_dataset["a"].tune_srcc == pytest.approx(srcc(q[tune], target[tune]))
    mean = (report.tune_srcc["a"] + report.tune_srcc["b"]) / 2
    assert report.overall.tune_srcc == pytest.approx(mean.max())


def test_split_indices() -> None:
    tune, test = split_indices(10, 0.3, seed=1)
    assert len(test) == 3 and len(tune) == 7
    assert sorted([*tune, *test]) == list(range(10))
    assert np.array_equal(split_indices(10, 0.3, seed=1)[1], test)
    everything = split_indices(5, 0.0)
    assert list(everything[0]) == list(everything[1]) == list(range(5))
    with pytest.raises(ValueError, match="too few"):
        split_indices(3, 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        split_indices(10, 1.0)
