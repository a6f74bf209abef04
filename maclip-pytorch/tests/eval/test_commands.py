"""``maclip-pytorch eval``, ``sweep`` and ``explain`` end to end with tiny models (no downloads)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from maclip.cli import main
from maclip.eval import commands

from ..conftest import TinyModel, save_photo


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generic JSON dataset of 10 photos with made-up scores."""
    root = tmp_path_factory.mktemp("table")
    (root / "imgs").mkdir()
    rows = []
    for i in range(10):
        save_photo(root / "imgs" / f"{i}.png", 224 + 16 * (i % 4), 240, seed=i)
        rows.append({"img_path": f"imgs/{i}.png", "gt_score": float((7 * i) % 10)})
    (root / "labels.json").write_text(json.dumps(rows))
    return root / "labels.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_writes_tables_and_figures_then_reuses_the_cache(
    tiny_rn: TinyModel,
    table: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache, out = tmp_path / "cache", tmp_path / "out"
    args = [
        "eval",
        "--dataset",
        "table",
        "--root",
        str(table),
        "--feature-cache",
        str(cache),
        "--bootstrap",
        "50",
        "-q",
        *tiny_rn.cli_args(),
    ]
    code, stdout, _ = run(capsys, *args, "-o", str(out))
    assert code == 0
    assert stdout.splitlines()[0].split()[:4] == ["dataset", "method", "n", "SRCC"]
    assert [line.split()[1] for line in stdout.splitlines()[1:]] == [
        "maclip",
        "clipiqa",
        "magnitude",
    ]
    with open(out / "metrics.csv") as handle:
        records = list(csv.DictReader(handle))
    assert [r["method"] for r in records] == ["maclip", "clipiqa", "magnitude"]
    assert all(r["n"] == "10" and -1 <= float(r["srcc"]) <= 1 for r in records)
    assert (
        float(records[0]["srcc_low"]) <= float(records[0]["srcc"]) <= float(records[0]["srcc_high"])
    )
    summary = (out / "metrics.md").read_text().splitlines()
    assert summary[2:4] == ["| method | labels |", "| --- | --- |"]
    assert summary[4].startswith(f"| maclip | {float(records[0]['srcc']):.3f} [")
    for name in ("scatter", "cues", "weights"):
        with Image.open(out / f"labels-{name}.png") as figure:
            assert figure.width > 400 and figure.height > 300
            assert np.asarray(figure.convert("L")).std() > 5, f"{name} figure is blank"
    with open(out / "labels-predictions.csv") as handle:
        predictions = list(csv.DictReader(handle))
    assert len(predictions) == 10 and {
        "maclip",
        "clipiqa",
        "magnitude",
        "q_sim",
        "q_mag",
        "w_sim",
    } <= set(predictions[0])

    # second run, other fusion settings: everything from the cache, the model is never built
    def no_model(_: object) -> None:
        raise AssertionError("CLIP must not be loaded on a cache hit")

    monkeypatch.setattr(commands, "scorer_from_args", no_model)
    code, again, _ = run(capsys, *args, "--lam", "0", "--alpha", "2", "--method", "clipiqa")
    assert code == 0
    assert (
        again.splitlines()[1].split()[:4] == stdout.splitlines()[2].split()[:4]
    )  # clipiqa unchanged


def test_eval_several_datasets_and_bad_images(
    tiny_rn: TinyModel, table: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kadid = tmp_path / "kadid"
    (kadid / "images").mkdir(parents=True)
    lines = ["dist_img,ref_img,dmos,var"]
    for i in range(5):
        save_photo(kadid / "images" / f"I{i}.png", 224, 224 + 32 * i, seed=20 + i)
        lines.append(f"I{i}.png,ref.png,{i / 2 + 1},0.1")
    (kadid / "images" / "broken.png").write_bytes(b"nope")
    (kadid / "dmos.csv").write_text("\n".join([*lines, "broken.png,ref.png,3,0.1"]) + "\n")
    code, stdout, stderr = run(
        capsys,
        "eval",
        "--dataset",
        "kadid10k",
        "--root",
        str(kadid),
        "--dataset",
        "table",
        "--root",
        str(table),
        "--bootstrap",
        "0",
        "--method",
        "maclip",
        "--feature-cache",
        str(tmp_path / "c"),
        "-q",
        *tiny_rn.cli_args(),
    )
    assert code == 1
    assert (
        f"{kadid / 'images' / 'broken.png'}" in stderr and "1 images could not be scored" in stderr
    )
    rows = [line.split()[:3] for line in stdout.splitlines()[1:]]
    assert rows == [["KADID-10k", "maclip", "5"], ["labels", "maclip", "10"]]


def test_eval_usage_errors(
    tiny_rn: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "eval", "--dataset", "koniq10k", "--root", str(tmp_path), *tiny_rn.cli_args()
    )
    assert code == 2 and "koniq10k_scores_and_distributions.csv under" in err
    code, _, err = run(capsys, "eval", "--dataset", "koniq10k", *tiny_rn.cli_args())
    assert code == 2 and "one --root per --dataset" in err
    code, _, err = run(capsys, "eval", *tiny_rn.cli_args())
    assert code == 2 and "--synthetic" in err


def test_sweep_reports_held_out_results(
    tiny_rn: TinyModel, table: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "grid.csv"
    code, stdout, _ = run(
        capsys,
        "sweep",
        "--dataset",
        "table",
        "--root",
        str(table),
        "--lam",
        "0,0.5",
        "--alpha",
        "1,2",
        "--b-mag",
        "0.6",
        "--holdout",
        "0.4",
        "--feature-cache",
        str(tmp_path / "c"),
        "-o",
        str(out),
        "-q",
        *tiny_rn.cli_args(),
    )
    assert code == 0
    assert "4 grid points; tuned on 60% of each dataset, reported on held-out" in stdout
    assert "all → labels" in stdout
    with open(out) as handle:
        grid = list(csv.DictReader(handle))
    assert [(float(r["lam"]), float(r["alpha"])) for r in grid] == [
        (0, 1),
        (0, 2),
        (0.5, 1),
        (0.5, 2),
    ]
    assert all(-1 <= float(r["srcc_labels"]) <= 1 for r in grid)


def test_explain_draws_the_map_and_breakdown(
    tiny_rn: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = save_photo(tmp_path / "photo.jpg", 300, 420, seed=5)
    code, stdout, _ = run(
        capsys, "explain", str(photo), "-o", str(tmp_path / "map.png"), *tiny_rn.cli_args()
    )
    assert code == 0 and stdout.startswith("Q=")
    with Image.open(tmp_path / "map.png") as figure:
        assert figure.width > figure.height > 300
        pixels = np.asarray(figure.convert("RGB")).astype(float)
    assert pixels.std() > 20
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 truncated")
    code, _, err = run(capsys, "explain", str(broken), *tiny_rn.cli_args())
    assert code == 1 and str(broken) in err


def test_synthetic_benchmark_machinery(
    tiny_rn: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = run(
        capsys,
        "eval",
        "--synthetic",
        "--synthetic-size",
        "64",
        "--method",
        "maclip,clipiqa",
        "--feature-cache",
        str(tmp_path / "c"),
        "-o",
        str(tmp_path / "out"),
        "-q",
        *tiny_rn.cli_args(),
    )
    assert code == 0
    rows = [line.split() for line in stdout.splitlines()[1:]]
    assert [(r[0], r[1]) for r in rows] == [
        (kind, method)
        for method in ("maclip", "clipiqa")
        for kind in ("blur", "noise", "jpeg", "contrast", "resample")
    ]
    assert all(r[-1] == "24" and -1 <= float(r[2]) <= 1 for r in rows)  # 4 photos x levels 0-5
    with open(tmp_path / "out" / "synthetic-predictions.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 4 * 5 * 6
