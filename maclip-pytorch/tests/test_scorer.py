"""The Scorer end to end: reference parity, batch invariance, inputs, precision, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from maclip import ImageError, Scorer, ViewConfig
from maclip.quality import DEFAULT_PROMPT_PAIRS, FusionParams

from .conftest import TinyModel, random_photo, save_photo
from .test_quality import ref_fusion, ref_pair_probs, ref_q_mag

SIZES = [(224, 224), (300, 481), (100, 50), (512, 384), (250, 700)]


@pytest.fixture(scope="module")
def photos() -> list[np.ndarray]:
    return [random_photo(h, w, seed) for seed, (h, w) in enumerate(SIZES)]


def reference_score(scorer: Scorer, photo: np.ndarray, params: FusionParams) -> dict[str, float]:
    """The paper's per-image procedure, written independently of the Scorer's packing."""
    image = torch.from_numpy(photo).permute(2, 0, 1).float()[None] / 255.0
    short = min(image.shape[-2:])
    if short < 224:  # maclip's documented upscale of small images
        size = [int(np.ceil(s * 224 / short - 1e-9)) for s in image.shape[-2:]]
        image = F.interpolate(image, size=size, mode="bicubic", antialias=True).clamp(0, 1)
    mean = torch.tensor(DEFAULT_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(DEFAULT_STD).view(1, 3, 1, 1)
    normal = (image - mean) / std
    patches = F.unfold(normal, kernel_size=224, stride=128).view(3, 224, 224, -1)
    views = torch.cat(
        [
            patches.permute(3, 0, 1, 2),
            F.interpolate(normal, size=(224, 224), mode="bilinear", align_corners=False),
        ]
    )
    features = scorer.backbone.encode_views(views).double().numpy()
    text = scorer.text_features.double().numpy()
    probs = ref_pair_probs(features, text, scorer.backbone.logit_scale)
    q_sim, q_mag = probs.mean(axis=1), ref_q_mag(features, params.lam)
    w_sim, w_mag, q = ref_fusion(q_sim, q_mag, params)
    return {
        "q": q.mean(), "q_sim": q_sim.mean(), "q_mag": q_mag.mean(),
        "w_sim": w_sim.mean(), "w_mag": w_mag.mean(), "views": len(views),
    }  # fmt: skip


DEFAULT_MEAN = (0.48145466, 0.4578275, 0.40821073)
DEFAULT_STD = (0.26862954, 0.26130258, 0.27577711)


@pytest.mark.parametrize("model", ["TinyRN", "TinyViT"])
def test_matches_independent_reference(
    model: str, tiny_models: dict[str, TinyModel], photos: list[np.ndarray]
) -> None:
    params = FusionParams(lam=0.0, alpha=1.5, b_sim=0.8, b_mag=0.9)
    scorer = tiny_models[model].scorer(
        batch_size=7, lam=params.lam, alpha=params.alpha, b_sim=params.b_sim, b_mag=params.b_mag
    )
    results = scorer.score(photos)
    for photo, result in zip(photos, results, strict=True):
        ref = reference_score(scorer, photo, params)
        assert result.num_views == ref["views"]
        for name in ("q", "q_sim", "q_mag", "w_sim", "w_mag"):
            assert getattr(result, name) == pytest.approx(ref[name], abs=1e-5), name
    assert len({round(r.q, 6) for r in results}) == len(results)  # images really differ


def test_scores_do_not_depend_on_batching_or_order(
    tiny_rn: TinyModel, photos: list[np.ndarray]
) -> None:
    base = [r.q for r in tiny_rn.scorer(batch_size=64).score(photos)]
    for batch_size in (1, 3, 13):
        again = [r.q for r in tiny_rn.scorer(batch_size=batch_size).score(photos)]
        np.testing.assert_allclose(again, base, atol=1e-5)
    reverse = [r.q for r in tiny_rn.scorer(batch_size=5).score(photos[::-1])]
    np.testing.assert_allclose(reverse[::-1], base, atol=1e-5)
    alone = [tiny_rn.scorer(batch_size=5).score(p)[0].q for p in photos]
    np.testing.assert_allclose(alone, base, atol=1e-5)


def test_batches_never_exceed_the_view_budget(
    rn_scorer: Scorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = []
    original = rn_scorer.backbone.encode_views

    def spy(views: torch.Tensor) -> torch.Tensor:
        sizes.append(len(views))
        return original(views)

    monkeypatch.setattr(rn_scorer.backbone, "encode_views", spy)
    monkeypatch.setattr(rn_scorer, "batch_size", 10)
    result = rn_scorer.score(random_photo(768, 1024))[0]
    assert result.num_views == 36
    assert sizes == [10, 10, 10, 6]


def test_all_input_kinds_give_the_same_score(tmp_path: Path, rn_scorer: Scorer) -> None:
    photo = random_photo(230, 260, seed=4)
    path = save_photo(tmp_path / "p.png", 230, 260, seed=4)
    tensor = torch.from_numpy(photo).permute(2, 0, 1).float() / 255.0
    inputs = [path, str(path), path.read_bytes(), Image.open(path), photo, tensor]
    scores = [r.q for r in rn_scorer.score(inputs)]
    np.testing.assert_allclose(scores, scores[0], atol=1e-6)
    batch = rn_scorer(torch.stack([tensor, tensor]))
    assert batch.shape == (2,) and batch[0].item() == pytest.approx(scores[0], abs=1e-6)


def test_bad_input_keeps_the_others_in_order(rn_scorer: Scorer, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"garbage")
    good = random_photo(240, 240)
    results = rn_scorer.score([good, bad, good, tmp_path / "gone.png"])
    assert [r.ok for r in results] == [True, False, True, False]
    assert results[1].key == str(bad) and "not an image" in (results[1].error or "")
    assert results[0].q == pytest.approx(results[2].q)
    assert np.isnan(results[1].q)
    with pytest.raises(ImageError, match="bad.jpg"):
        rn_scorer([good, bad])


def test_result_breakdown(rn_scorer: Scorer) -> None:
    result = rn_scorer.score(random_photo(300, 481))[0]
    assert result.size == (300, 481) and result.prepared_size == (300, 481)
    assert result.num_views == len(result.views) == 1 * 3 + 1
    assert list(result.pair_probs) == [p for p, _ in DEFAULT_PROMPT_PAIRS]
    assert result.w_sim + result.w_mag == pytest.approx(1.0)
    assert result.q == pytest.approx(np.mean([v.q for v in result.views]))
    assert result.views[-1].is_global and result.views[1].left == 128
    record = result.to_dict(include_views=True)
    assert record["views"] == 4 and len(record["view_scores"]) == 4


@pytest.mark.parametrize("method", ["clipiqa", "magnitude"])
def test_single_cue_methods_report_both_cues(tiny_rn: TinyModel, method: str) -> None:
    photo = random_photo(256, 256)
    fused = tiny_rn.scorer().score(photo)[0]
    single = tiny_rn.scorer(method=method).score(photo)[0]
    cue = single.q_sim if method == "clipiqa" else single.q_mag
    assert single.q == pytest.approx(cue)
    assert single.q_sim == pytest.approx(fused.q_sim) and single.q_mag == pytest.approx(fused.q_mag)


def test_view_options_and_custom_prompts(tiny_rn: TinyModel) -> None:
    photo = random_photo(600, 800)
    resized = tiny_rn.scorer(views=ViewConfig(pre_resize=(448, 448))).score(photo)[0]
    assert resized.num_views == 5 and resized.prepared_size == (448, 448)
    capped = tiny_rn.scorer(views=ViewConfig(max_side=400)).score(photo)[0]
    assert capped.prepared_size == (300, 400)
    prompts = [("a crisp photo", "a smeared photo")]
    custom = tiny_rn.scorer(prompts=prompts).score(photo)[0]
    assert list(custom.pair_probs) == ["a crisp photo"]


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_reduced_precision_stays_close_to_fp32(
    tiny_models: dict[str, TinyModel], photos: list[np.ndarray], precision: str
) -> None:
    """Autocast on the CPU: Q within 0.02 of fp32 (the tiny models' Q is about 1)."""
    for model in tiny_models.values():
        fp32 = [r.q for r in model.scorer().score(photos)]
        low = [r.q for r in model.scorer(precision=precision).score(photos)]
        np.testing.assert_allclose(low, fp32, atol=0.02)


def test_invalid_arguments(tiny_rn: TinyModel) -> None:
    with pytest.raises(ValueError, match="method"):
        tiny_rn.scorer(method="best")
    with pytest.raises(ValueError, match="batch_size"):
        tiny_rn.scorer(batch_size=0)
