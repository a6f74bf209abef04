"""The Java tests' golden files match what the reference produces now, and drift is caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from PIL import Image

from maclip import cli, golden
from maclip.golden import compare_golden, write_golden

COMMITTED = Path(__file__).resolve().parents[2] / "maclip-scoring/src/test/resources/golden"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden")
    write_golden(out)
    return out


def test_committed_golden_files_match_the_reference(fresh: Path) -> None:
    drift = compare_golden(COMMITTED, fresh)
    assert drift == [], "regenerate with: " + golden.COMMAND + "\n" + "\n".join(drift[:20])


def test_golden_files_are_small_and_complete(fresh: Path) -> None:
    for bundle in ("tinyrn", "tinyvit"):
        assert (fresh / bundle / "visual.onnx").stat().st_size < 2_000_000
        record = json.loads((fresh / f"{bundle}.golden.json").read_text())
        cases = record["cases"]
        assert record["bundle"] == bundle and len(cases) == len(golden.CASES)
        assert {c["image"] for c in cases} == set(golden.GOLDEN_IMAGES)
        for case in cases:
            result = case["result"]
            assert len(result["view_scores"]) == result["views"] and result["error"] is None
            assert len(case["global_view_embedding"]) == 32
    with Image.open(fresh / "images/rgb16_256x240.png") as image:
        assert image.size == (256, 240)
    with Image.open(fresh / "images/gray16_260x230.png") as image:
        assert image.mode == "I;16"
    with Image.open(fresh / "images/palette_200x260.png") as image:
        assert image.mode == "P"


def test_pre_resize_cases_cover_every_shape() -> None:
    """Portrait and landscape, each axis enlarged and reduced, and both of Pillow's pass orders."""
    seen = set()
    for case in golden.CASES:
        if case.pre_resize is None or not case.image.startswith("edges_"):
            continue
        width, height = (int(n) for n in case.image[6:-4].split("x"))
        out_height, out_width = case.pre_resize
        vertical_first = height - out_height > max(0, 2 * (width - out_width))
        seen.add((width > height, out_width > width, out_height > height, vertical_first))
    for landscape in (False, True):
        for wider in (False, True):
            for taller in (False, True):
                orders = {v for p, w, t, v in seen if (p, w, t) == (landscape, wider, taller)}
                assert orders, (landscape, wider, taller)
        shrunk = {v for p, w, t, v in seen if (p, w, t) == (landscape, False, False)}
        assert shrunk == {False, True}
    with Image.open(COMMITTED / "images/edges_200x300.png") as image:
        pixels = np.asarray(image)
    assert pixels.min() == 0 and pixels.max() == 255


def _tamper(folder: Path) -> None:
    """Change one golden number, one pixel, one manifest value and one ONNX weight."""
    path = folder / "tinyrn.golden.json"
    record = json.loads(path.read_text())
    record["cases"][1]["result"]["q"] += 1e-5
    path.write_text(json.dumps(record))
    image = folder / "images/rgb_300x250.png"
    pixels = np.array(Image.open(image))
    pixels[10, 20, 1] ^= 1
    Image.fromarray(pixels).save(image)
    manifest = folder / "tinyvit/maclip.json"
    record = json.loads(manifest.read_text())
    record["prompts"][2]["negative_embedding"][5] += 1e-4
    record["versions"]["torch"] = "0.0"  # not checked: the versions may differ
    manifest.write_text(json.dumps(record))
    model = onnx.load(str(folder / "tinyvit/visual.onnx"))
    weight = next(t for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)
    weight.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(weight) * 1.01, weight.name))
    onnx.save(model, str(folder / "tinyvit/visual.onnx"))


def test_drift_is_named(fresh: Path, tmp_path: Path) -> None:
    committed = tmp_path / "committed"
    shutil.copytree(fresh, committed)
    _tamper(committed)
    (committed / "images/extra.png").write_bytes(b"")
    assert compare_golden(committed, fresh) == ["images/extra.png: only in the committed folder"]
    (committed / "images/extra.png").unlink()
    drift = compare_golden(committed, fresh)
    assert any(d.startswith("tinyrn.golden.json.cases[1].result.q: ") for d in drift)
    assert "images/rgb_300x250.png: pixels differ" in drift
    assert any(d.startswith("tinyvit/maclip.json.prompts[2].negative_embedding[5]") for d in drift)
    assert any(d.startswith("tinyvit/visual.onnx: embeddings") for d in drift)
    assert not any("versions" in d or "tinyrn/visual.onnx" in d for d in drift)
    assert len(drift) == 4


def test_check_command_exit_codes(
    fresh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        golden, "write_golden", lambda out: shutil.copytree(fresh, out, dirs_exist_ok=True)
    )
    committed = tmp_path / "committed"
    shutil.copytree(fresh, committed)
    assert cli.main(["golden", "--check", str(committed)]) == 0
    _tamper(committed)
    assert cli.main(["golden", "--check", str(committed)]) == 1
    err = capsys.readouterr().err
    assert "drift: images/rgb_300x250.png: pixels differ" in err and "regenerate" in err
    assert cli.main(["golden", "--check", str(tmp_path / "absent")]) == 1
