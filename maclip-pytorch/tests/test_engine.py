"""Speed options of the engine: each must leave scores within its stated tolerance of fp32.

Tolerances (on |Q| about 1): decoding workers and the channels_last layout 1e-5
(only the kernels' rounding changes); bf16 autocast 0.02; torch.compile 1e-4.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
import torch

from maclip import Scorer
from maclip.backbone import default_channels_last
from maclip.cli import main
from maclip.images import ImageSource
from maclip.pipeline import Failed, Prepared, Preparer, default_workers, iter_prepared

from .conftest import TinyModel, random_photo, save_photo

SIZES = [(224, 224), (300, 481), (100, 50), (512, 384)]
Forward = Callable[[torch.Tensor], torch.Tensor]


@pytest.fixture(scope="module")
def photos() -> list[np.ndarray]:
    return [random_photo(h, w, seed) for seed, (h, w) in enumerate(SIZES)]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("engine")
    good = [save_photo(folder / f"{i}.png", h, w, seed=i) for i, (h, w) in enumerate(SIZES)]
    bad = folder / "bad.jpg"
    bad.write_bytes(b"not a jpeg")
    return [good[0], bad, good[1], folder / "missing.png", good[2], good[3]]


def qs(scorer: Scorer, inputs: list) -> list[float]:
    return [r.q for r in scorer.score(inputs)]


@pytest.mark.parametrize("model", ["TinyRN", "TinyViT"])
def test_layout_and_workers_leave_scores_unchanged(
    tiny_models: dict[str, TinyModel], photos: list[np.ndarray], model: str
) -> None:
    plain = tiny_models[model].scorer(workers=0, channels_last=False, batch_size=5)
    fast = tiny_models[model].scorer(workers=2, channels_last=True, batch_size=5)
    assert fast.backbone.channels_last == (model == "TinyRN")  # a ViT keeps its layout
    np.testing.assert_allclose(qs(fast, photos), qs(plain, photos), atol=1e-5)


def test_channels_last_is_applied_to_resnet_weights(tiny_rn: TinyModel) -> None:
    scorer = tiny_rn.scorer(channels_last=True)
    weight = scorer.backbone.visual.conv1.weight
    assert weight.is_contiguous(memory_format=torch.channels_last)
    assert not weight.is_contiguous()
    plain = tiny_rn.scorer(channels_last=False)
    assert plain.backbone.visual.conv1.weight.is_contiguous()


def test_workers_keep_order_and_per_file_errors(tiny_rn: TinyModel, files: list[Path]) -> None:
    serial = tiny_rn.scorer(workers=0).score(files)
    parallel = tiny_rn.scorer(workers=2, batch_size=7).score(files)
    assert [r.key for r in parallel] == [str(f) for f in files]
    assert [r.ok for r in parallel] == [True, False, True, False, True, True]
    assert [r.error for r in parallel] == [r.error for r in serial]
    assert "not an image" in (parallel[1].error or "") and "no such file" in (
        parallel[3].error or ""
    )
    good = [i for i, r in enumerate(serial) if r.ok]
    np.testing.assert_allclose(
        [parallel[i].q for i in good], [serial[i].q for i in good], atol=1e-6
    )


@dataclass(frozen=True, eq=False)
class _PidPreparer(Preparer):
    """Records which process prepared each input, in its key."""

    def __call__(self, source: ImageSource) -> Prepared | Failed:
        item = super().__call__(source)
        return replace(item, key=f"{item.key}@{os.getpid()}")


def test_workers_prepare_in_other_processes(rn_scorer: Scorer, files: list[Path]) -> None:
    base = rn_scorer.preparer()
    preparer = _PidPreparer(base.views, base.max_pixels, base.mean, base.std)
    items = list(iter_prepared(files, preparer, workers=2))
    pids = {int(item.key.rsplit("@", 1)[1]) for item in items}
    assert os.getpid() not in pids and len(pids) == 2
    assert [item.key.rsplit("@", 1)[0] for item in items] == [str(f) for f in files]
    assert [isinstance(item, Failed) for item in items] == [False, True, False, True, False, False]
    inline = list(iter_prepared(files, preparer, workers=0))
    assert {int(item.key.rsplit("@", 1)[1]) for item in inline} == {os.getpid()}


def test_one_shot_iterators_are_consumed_lazily(tiny_rn: TinyModel) -> None:
    """A generator is read only as far as the batch being filled (2 views per image here)."""
    pulled = []

    def stream() -> Iterator[np.ndarray]:
        for seed in range(30):
            pulled.append(seed)
            yield random_photo(240, 240, seed)

    results = tiny_rn.scorer(batch_size=8, workers=2).iter_score(stream())
    assert next(results).ok and len(pulled) == 4
    assert len(list(results)) == 29


def test_failures_cross_process_boundaries() -> None:
    failure = pickle.loads(pickle.dumps(Failed("a.jpg", "corrupt")))
    err = failure.error()
    assert (err.source, err.reason, str(err)) == ("a.jpg", "corrupt", "a.jpg: corrupt")


def test_reduced_precision_with_speed_options(tiny_rn: TinyModel, photos: list[np.ndarray]) -> None:
    """bf16 autocast (with channels_last and workers): Q within the stated 0.02 of fp32."""
    fp32 = qs(tiny_rn.scorer(workers=0, channels_last=False), photos)
    bf16 = qs(tiny_rn.scorer(precision="bf16", workers=2, channels_last=True), photos)
    np.testing.assert_allclose(bf16, fp32, atol=0.02)
    assert bf16 != fp32  # autocast really ran in bf16


def test_compile_pads_batches_to_one_shape(
    tiny_rn: TinyModel, photos: list[np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With compile on, every forward sees the full batch shape; outputs are unchanged."""
    shapes: list[tuple[int, ...]] = []

    def fake_compile(fn: Forward, **kwargs: object) -> Forward:
        """Stands in for torch.compile: records the shapes the compiled function sees."""
        assert kwargs == {"dynamic": False}

        def run(views: torch.Tensor) -> torch.Tensor:
            shapes.append(tuple(views.shape))
            return fn(views)

        return run

    monkeypatch.setattr(torch, "compile", fake_compile)
    compiled = tiny_rn.scorer(compile=True, batch_size=8, workers=0)
    assert compiled.backbone.compiled
    scores = qs(compiled, photos)
    assert len(shapes) > 1 and set(shapes) == {(8, 3, 224, 224)}
    np.testing.assert_allclose(scores, qs(tiny_rn.scorer(batch_size=8), photos), atol=1e-6)


@pytest.mark.skipif(not os.environ.get("MACLIP_TEST_COMPILE"), reason="set MACLIP_TEST_COMPILE=1")
def test_torch_compile_matches_eager(tiny_rn: TinyModel, photos: list[np.ndarray]) -> None:
    """Real torch.compile (about a minute on 2 cores, so opt-in): Q within 1e-4 of eager."""
    eager = qs(tiny_rn.scorer(batch_size=16), photos)
    np.testing.assert_allclose(
        qs(tiny_rn.scorer(compile=True, batch_size=16), photos), eager, atol=1e-4
    )


def test_defaults_per_device() -> None:
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert default_channels_last("resnet", cpu) and default_channels_last("resnet", cuda)
    assert not default_channels_last("vit", cpu)
    assert default_workers(cpu) == (1 if (os.cpu_count() or 1) >= 4 else 0)
    assert 1 <= default_workers(cuda) <= 8


def test_invalid_workers(tiny_rn: TinyModel) -> None:
    with pytest.raises(ValueError, match="workers"):
        tiny_rn.scorer(workers=-1)


def test_cli_speed_options_give_the_same_table(
    tiny_rn: TinyModel, files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    good = [str(f) for f in files if f.exists() and f.suffix == ".png"]
    args = ["score", *good, "--format", "csv", "-q", *tiny_rn.cli_args()]
    assert main([*args, "--workers", "0", "--no-channels-last"]) == 0
    slow = capsys.readouterr().out.splitlines()
    assert main([*args, "--workers", "2", "--channels-last"]) == 0
    fast = capsys.readouterr().out.splitlines()
    assert slow[0] == fast[0] and len(fast) == len(good) + 1
    for a, b in zip(slow[1:], fast[1:], strict=True):
        key_a, q_a = a.split(",")[:2]
        key_b, q_b = b.split(",")[:2]
        assert key_a == key_b and float(q_a) == pytest.approx(float(q_b), abs=1e-5)
    assert main([*args, "--workers", "two"]) == 2
    assert "--workers: invalid int value" in capsys.readouterr().err


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu(tiny_rn: TinyModel, files: list[Path]) -> None:
    """Pinned memory, non-blocking copies and views cut on the GPU: same scores as the CPU."""
    cpu = tiny_rn.scorer(device="cpu").score(files)
    gpu = tiny_rn.scorer(device="cuda", workers=2).score(files)
    assert [r.ok for r in gpu] == [r.ok for r in cpu]
    np.testing.assert_allclose([r.q for r in gpu], [r.q for r in cpu], atol=1e-4)
    item = next(iter_prepared(files[:1], tiny_rn.scorer(device="cuda").preparer()))
    assert isinstance(item, Prepared) and item.pin_memory().image.is_pinned()
