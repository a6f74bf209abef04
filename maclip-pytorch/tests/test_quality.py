"""The MA-CLIP maths against an independent numpy reference written here."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from maclip.quality import (
    FusionParams,
    box_cox,
    fusion_weights,
    magnitude_score,
    pair_probabilities,
    score_views,
    similarity_score,
)


def ref_pair_probs(image: np.ndarray, text: np.ndarray, scale: float) -> np.ndarray:
    """(N, D), (P, 2, D) -> (N, P): softmax over each antonym pair of scaled cosines."""
    img = image / np.linalg.norm(image, axis=1, keepdims=True)
    txt = text / np.linalg.norm(text, axis=2, keepdims=True)
    pos = scale * img @ txt[:, 0].T
    neg = scale * img @ txt[:, 1].T
    return 1.0 / (1.0 + np.exp(neg - pos))


def ref_q_mag(image: np.ndarray, lam: float) -> np.ndarray:
    mag = np.abs(image)
    x = mag / (mag.std(axis=1, ddof=1, keepdims=True) + 1e-6)
    y = np.log(x + 1) if lam == 0 else ((x + 1) ** lam - 1) / lam
    return y.mean(axis=1)


def ref_fusion(q_sim: np.ndarray, q_mag: np.ndarray, p: FusionParams) -> tuple[np.ndarray, ...]:
    d = q_sim - q_mag
    g_sim, g_mag = p.b_sim + p.alpha * d, p.b_mag - p.alpha * d
    w_sim = np.exp(g_sim) / (np.exp(g_sim) + np.exp(g_mag))
    w_mag = 1 - w_sim
    return w_sim, w_mag, w_sim * q_sim + w_mag * q_mag


@pytest.fixture()
def embeddings() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    image = rng.normal(size=(9, 64)) * rng.uniform(0.2, 3.0, size=(9, 1))
    text = rng.normal(size=(5, 2, 64))
    return image, text


def t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(a).float()


def test_pair_probabilities_match_reference(embeddings: tuple[np.ndarray, np.ndarray]) -> None:
    image, text = embeddings
    got = pair_probabilities(t(image), t(text), 100.0).numpy()
    np.testing.assert_allclose(got, ref_pair_probs(image, text, 100.0), atol=1e-5)
    q = similarity_score(torch.from_numpy(got)).numpy()
    np.testing.assert_allclose(q, got.mean(axis=1), atol=1e-7)


def test_pair_probabilities_ignore_norms(embeddings: tuple[np.ndarray, np.ndarray]) -> None:
    image, text = embeddings
    base = pair_probabilities(t(image), t(text), 50.0)
    scaled = pair_probabilities(t(image * 7.5), t(text * 0.1), 50.0)
    torch.testing.assert_close(base, scaled)


@pytest.mark.parametrize("lam", [0.0, 0.25, 0.5, 1.0, -0.5, 2.0])
def test_box_cox_matches_formula(lam: float) -> None:
    x = np.linspace(0, 20, 101)
    expected = np.log1p(x) if lam == 0 else ((x + 1) ** lam - 1) / lam
    np.testing.assert_allclose(box_cox(torch.from_numpy(x), lam).numpy(), expected, rtol=1e-12)


def test_box_cox_is_continuous_at_zero() -> None:
    x = torch.linspace(0, 10, 50, dtype=torch.float64)
    torch.testing.assert_close(box_cox(x, 1e-7), box_cox(x, 0.0), atol=1e-5, rtol=0)


@pytest.mark.parametrize("lam", [0.0, 0.5, 1.5])
def test_magnitude_score_matches_reference(
    embeddings: tuple[np.ndarray, np.ndarray], lam: float
) -> None:
    image, _ = embeddings
    got = magnitude_score(t(image), lam).numpy()
    np.testing.assert_allclose(got, ref_q_mag(image, lam), rtol=1e-5)


def test_magnitude_score_is_scale_invariant(embeddings: tuple[np.ndarray, np.ndarray]) -> None:
    image, _ = embeddings
    torch.testing.assert_close(magnitude_score(t(image)), magnitude_score(t(image) * 13.0))


@pytest.mark.parametrize(
    "params", [FusionParams(), FusionParams(alpha=3.0, b_sim=0.2, b_mag=1.4), FusionParams(alpha=0)]
)
def test_fusion_matches_reference(params: FusionParams) -> None:
    rng = np.random.default_rng(3)
    q_sim, q_mag = rng.uniform(0, 1, 20), rng.uniform(0.5, 2, 20)
    w_sim, w_mag = fusion_weights(t(q_sim), t(q_mag), params.alpha, params.b_sim, params.b_mag)
    ref_sim, ref_mag, _ = ref_fusion(q_sim, q_mag, params)
    np.testing.assert_allclose(w_sim.numpy(), ref_sim, atol=1e-6)
    np.testing.assert_allclose(w_mag.numpy(), ref_mag, atol=1e-6)


def test_fusion_defaults_are_the_papers() -> None:
    assert FusionParams() == FusionParams(lam=0.5, alpha=1.0, b_sim=1.0, b_mag=0.6)
    # Equal cues: weights are softmax(1.0, 0.6).
    w_sim, _ = fusion_weights(torch.tensor([0.7]), torch.tensor([0.7]), 1.0, 1.0, 0.6)
    assert w_sim.item() == pytest.approx(np.exp(1.0) / (np.exp(1.0) + np.exp(0.6)), abs=1e-6)


@pytest.mark.parametrize("lam", [0.0, 0.5])
def test_score_views_maclip_end_to_end(
    embeddings: tuple[np.ndarray, np.ndarray], lam: float
) -> None:
    image, text = embeddings
    params = FusionParams(lam=lam, alpha=1.3, b_sim=0.9, b_mag=0.7)
    got = score_views(t(image), t(text), 100.0, "maclip", params)
    probs = ref_pair_probs(image, text, 100.0)
    q_sim, q_mag = probs.mean(axis=1), ref_q_mag(image, lam)
    w_sim, w_mag, q = ref_fusion(q_sim, q_mag, params)
    np.testing.assert_allclose(got.pair_probs.numpy(), probs, atol=1e-5)
    np.testing.assert_allclose(got.q_sim.numpy(), q_sim, atol=1e-5)
    np.testing.assert_allclose(got.q_mag.numpy(), q_mag, rtol=1e-5)
    np.testing.assert_allclose(got.w_sim.numpy(), w_sim, atol=1e-5)
    np.testing.assert_allclose(got.w_mag.numpy(), w_mag, atol=1e-5)
    np.testing.assert_allclose(got.q.numpy(), q, rtol=1e-5)
    mean = got.mean()
    np.testing.assert_allclose(mean.q.numpy(), [q.mean()], rtol=1e-5)


def test_single_cue_methods(embeddings: tuple[np.ndarray, np.ndarray]) -> None:
    image, text = embeddings
    clipiqa = score_views(t(image), t(text), 100.0, "clipiqa")
    torch.testing.assert_close(clipiqa.q, clipiqa.q_sim)
    assert torch.all(clipiqa.w_sim == 1) and torch.all(clipiqa.w_mag == 0)
    magnitude = score_views(t(image), t(text), 100.0, "magnitude")
    torch.testing.assert_close(magnitude.q, magnitude.q_mag)
    with pytest.raises(ValueError, match="unknown method"):
        score_views(t(image), t(text), 100.0, "nope")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["lam", "alpha", "b_sim", "b_mag"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_fusion_parameters_must_be_finite(name: str, value: float) -> None:
    with pytest.raises(ValueError, match=f"must be finite numbers: {name}="):
        FusionParams(**{name: value})
