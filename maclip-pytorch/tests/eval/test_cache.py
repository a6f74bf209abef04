"""Feature cache: round trip, reuse without running CLIP, keys, interruption, shared use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from maclip import ImageError, Scorer, ViewConfig
from maclip.eval.cache import CachedEncoder, FeatureCache, ModelKey, content_hash

from ..conftest import TinyModel, save_photo


class Counter:
    """Wraps ``backbone.encode_views`` and counts forward calls and views."""

    def __init__(self, scorer: Scorer, fail_after: int | None = None) -> None:
        self.calls = 0
        self.views = 0
        self.fail_after = fail_after
        self._original = scorer.backbone.encode_views
        scorer.backbone.encode_views = self  # type: ignore[method-assign]

    def __call__(self, views: torch.Tensor) -> torch.Tensor:
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise KeyboardInterrupt
        self.calls += 1
        self.views += len(views)
        return self._original(views)


@pytest.fixture()
def photos(tmp_path: Path) -> list[Path]:
    return [save_photo(tmp_path / f"p{i}.png", 230 + 20 * i, 260, seed=i) for i in range(4)]


@pytest.fixture()
def scorer(tiny_rn: TinyModel) -> Iterator[Scorer]:
    scorer = tiny_rn.scorer(batch_size=2)  # 2 views per photo: one forward per photo
    yield scorer


def items(paths: list[Path]) -> list[tuple[str, Path]]:
    return [(str(p), p) for p in paths]


def test_round_trip_equals_direct_features(
    tmp_path: Path, scorer: Scorer, photos: list[Path]
) -> None:
    encoder = CachedEncoder.for_scorer(FeatureCache(tmp_path / "cache"), scorer)
    cached = list(encoder.encode(items(photos)))
    direct = list(scorer.iter_features(photos))
    for got, want in zip(cached, direct, strict=True):
        assert not isinstance(got, ImageError) and not isinstance(want, ImageError)
        assert got.key == want.key and got.boxes == want.boxes
        assert got.size == want.size and got.prepared_size == want.prepared_size
        torch.testing.assert_close(got.features, want.features)
    text = encoder.text()
    torch.testing.assert_close(text.features, scorer.text_features)
    assert text.logit_scale == scorer.backbone.logit_scale and text.prompts == scorer.prompts
    assert not list((tmp_path / "cache").rglob("*.tmp")), "no temporary files left behind"


def test_cache_hit_runs_no_forward_pass_and_loads_no_model(
    tmp_path: Path, scorer: Scorer, photos: list[Path]
) -> None:
    cache = FeatureCache(tmp_path / "cache")
    counter = Counter(scorer)
    first = CachedEncoder.for_scorer(cache, scorer)
    list(first.encode(items(photos)))
    first.text()
    assert counter.calls > 0
    calls = counter.calls

    def no_model() -> Scorer:
        raise AssertionError("the model must not be needed on a cache hit")

    second = CachedEncoder(cache, first.key, scorer.prompts, no_model)
    again = list(second.encode(items(photos[::-1])))
    assert [f.key for f in again if not isinstance(f, ImageError)] == [str(p) for p in photos[::-1]]
    second.text()
    assert counter.calls == calls
    # a new image among cached ones: only its views are encoded
    views = counter.views
    extra = save_photo(tmp_path / "new.png", 224, 224, seed=9)
    list(CachedEncoder.for_scorer(cache, scorer).encode(items([*photos, extra])))
    assert counter.views == views + 2  # the new photo's patch and global view only


def test_same_content_under_two_names_is_encoded_once(
    tmp_path: Path, scorer: Scorer, photos: list[Path]
) -> None:
    copy = tmp_path / "copy.png"
    copy.write_bytes(photos[0].read_bytes())
    counter = Counter(scorer)
    encoder = CachedEncoder.for_scorer(FeatureCache(tmp_path / "cache"), scorer)
    out = list(encoder.encode(items([photos[0], copy])))
    assert counter.views == len(out[0].boxes)  # type: ignore[union-attr]
    assert [o.key for o in out] == [str(photos[0]), str(copy)]  # type: ignore[union-attr]
    assert content_hash(photos[0]) == content_hash(photos[0].read_bytes())


def test_key_covers_views_precision_weights(tiny_rn: TinyModel, scorer: Scorer) -> None:
    key = ModelKey.for_backbone(scorer.backbone, scorer.views)
    assert key.weights.startswith("sha256:")
    variants = [
        replace(key, views=ViewConfig(pre_resize=(448, 448))),
        replace(key, precision="bfloat16"),
        replace(key, pos_embedding="interpolate"),
        replace(key, weights="openai"),
        replace(key, backbone="TinyViT"),
    ]
    assert len({key.digest, *(v.digest for v in variants)}) == 6
    assert ModelKey.for_backbone(tiny_rn.scorer().backbone, ViewConfig()).digest == key.digest


def test_interrupted_run_resumes_without_redoing_work(
    tmp_path: Path, scorer: Scorer, photos: list[Path]
) -> None:
    cache = FeatureCache(tmp_path / "cache")
    Counter(scorer, fail_after=2)
    with pytest.raises(KeyboardInterrupt):
        list(CachedEncoder.for_scorer(cache, scorer).encode(items(photos)))
    done = len(list((tmp_path / "cache").rglob("images/*/*.npz")))
    assert 0 < done < len(photos)
    fresh = Scorer(scorer.backbone, batch_size=2)
    scorer.backbone.encode_views = scorer.backbone.encode_views._original  # type: ignore[attr-defined]
    counter = Counter(fresh)
    result = list(CachedEncoder.for_scorer(cache, fresh).encode(items(photos)))
    assert all(not isinstance(r, ImageError) for r in result)
    assert counter.views == sum(len(r.boxes) for r in result[done:])  # type: ignore[union-attr]


def test_bad_inputs_and_corrupt_entries(tmp_path: Path, scorer: Scorer, photos: list[Path]) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    cache = FeatureCache(tmp_path / "cache")
    encoder = CachedEncoder.for_scorer(cache, scorer)
    out = list(encoder.encode(items([photos[0], broken, tmp_path / "missing.png", photos[1]])))
    assert [type(o).__name__ for o in out] == [
        "ImageFeatures",
        "ImageError",
        "ImageError",
        "ImageFeatures",
    ]
    assert out[1].source == str(broken)  # type: ignore[union-attr]
    assert "cannot read" in out[2].reason  # type: ignore[union-attr]
    entry = next((tmp_path / "cache").rglob(f"{content_hash(photos[0])}.npz"))
    entry.write_bytes(b"garbage")
    again = list(encoder.encode(items([photos[0]])))[0]
    assert not isinstance(again, ImageError)
    torch.testing.assert_close(again.features, out[0].features)  # type: ignore[union-attr]
    assert np.load(entry)["features"].shape == tuple(again.features.shape)


def test_two_runs_sharing_a_cache(tmp_path: Path, tiny_rn: TinyModel, photos: list[Path]) -> None:
    import threading

    cache = FeatureCache(tmp_path / "cache")
    outputs: list[list[object]] = [[], []]

    def work(slot: int) -> None:
        encoder = CachedEncoder.for_scorer(cache, tiny_rn.scorer(batch_size=2))
        outputs[slot] = list(encoder.encode(items(photos)))

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for first, second in zip(*outputs, strict=True):
        assert not isinstance(first, ImageError) and not isinstance(second, ImageError)
        torch.testing.assert_close(first.features, second.features)  # type: ignore[attr-defined]
    assert len(list((tmp_path / "cache").rglob("images/*/*.npz"))) == len(photos)
    assert not list((tmp_path / "cache").rglob("*.tmp"))
