"""`maclip-pytorch export --int8`: the quantised graph, its manifest, its refusal; eval-bundles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from PIL import Image

from maclip import cli, export, quantize
from maclip.eval.metrics import srcc
from maclip.export import MANIFEST, ONNX_FILE, ExportError, export_bundle
from maclip.quantize import Thresholds, distort

from .conftest import TinyModel
from .test_export import load

#: Limits a tiny random model meets (it quantises far worse than a real one: golden.py).
LOOSE = Thresholds(min_view_cosine=0.9, max_abs_q_diff=0.2, min_q_spearman=0.5)


@pytest.fixture(scope="module")
def int8_bundle(tiny_rn: TinyModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("int8") / "bundle"
    export_bundle(load(tiny_rn), out, pretrained="random", precision="int8", int8_limits=LOOSE)
    return out


def test_the_packaged_photographs_and_their_licences_are_there() -> None:
    from importlib import resources

    folder = resources.files("maclip").joinpath("calibration")
    licences = folder.joinpath("LICENSES.md").read_text()
    for name in quantize.CALIBRATION_IMAGES + quantize.HELD_OUT_IMAGES:
        assert folder.joinpath(name).is_file() and f"`{name}`" in licences
    assert not set(quantize.CALIBRATION_IMAGES) & set(quantize.HELD_OUT_IMAGES)


def test_distortions_change_the_pixels_and_are_seeded() -> None:
    photo = Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 80, 3), np.uint8))
    for kind, strength in quantize.DISTORTIONS[1:]:
        once, again = distort(photo, kind, strength), distort(photo, kind, strength)
        assert np.array_equal(np.asarray(once), np.asarray(again))
        assert not np.array_equal(np.asarray(once), np.asarray(photo)), kind


def test_the_fidelitys_spearman_is_the_evaluations_srcc() -> None:
    assert srcc(np.array([1.0, 2, 3, 4]), np.array([10.0, 20, 30, 40])) == pytest.approx(1)
    assert srcc(np.array([1.0, 2, 3, 4]), np.array([4.0, 3, 2, 1])) == pytest.approx(-1)
    assert srcc(np.array([1.0, 2, 3]), np.array([1.0, 1, 2])) == pytest.approx(0.8660254)


def test_int8_bundle_is_quantised_and_records_it(int8_bundle: Path) -> None:
    manifest = json.loads((int8_bundle / MANIFEST).read_text())
    assert manifest["precision"] == "int8"
    record = manifest["quantization"]
    assert record["format"] == "QDQ" and record["per_channel"] is True
    assert record["activations"] == "QUInt8" and record["weights"] == "QInt8"
    assert record["calibration"]["images"] == list(quantize.CALIBRATION_IMAGES)
    assert len(record["calibration"]["distortions"]) == len(quantize.DISTORTIONS)
    assert record["calibration"]["views"] == 16 * len(quantize.DISTORTIONS)
    check = manifest["int8_check"]
    assert check["held_out_images"] == list(quantize.HELD_OUT_IMAGES)
    assert check["images"] == 4 * len(quantize.DISTORTIONS) and check["views"] == 112
    assert LOOSE.min_view_cosine <= check["min_view_cosine"] < 1
    assert 0 < check["max_abs_q_diff"] <= LOOSE.max_abs_q_diff
    assert check["thresholds"]["min_view_cosine"] == LOOSE.min_view_cosine
    graph = onnx.load(str(int8_bundle / ONNX_FILE)).graph
    ops = {node.op_type for node in graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    assert sorted(p.name for p in int8_bundle.iterdir()) == sorted(export.BUNDLE_FILES)


def test_int8_weights_use_seven_bits_so_no_cpu_saturates(int8_bundle: Path) -> None:
    """u8 activations times s8 weights: two products of 255 by at most 64 stay below 2^15."""
    manifest = json.loads((int8_bundle / MANIFEST).read_text())
    assert manifest["quantization"]["reduce_range"] is True
    graph = onnx.load(str(int8_bundle / ONNX_FILE)).graph
    weights = [
        onnx.numpy_helper.to_array(t)
        for t in graph.initializer
        if t.data_type == onnx.TensorProto.INT8 and t.dims and len(t.dims) > 1
    ]
    assert weights, "no int8 weight tensors"
    largest = max(int(np.abs(w.astype(np.int32)).max()) for w in weights)
    assert 2 * 255 * largest < 2**15 - 1, largest


def test_a_tiny_model_fails_the_default_thresholds(tiny_rn: TinyModel, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    code = cli.main(["export", "--int8", "-o", str(out), *tiny_rn.model_args()])
    assert code == 2 and not out.exists() and list(tmp_path.iterdir()) == []
    with pytest.raises(ExportError, match="too far from fp32 on the held-out images"):
        export_bundle(load(tiny_rn), out, precision="int8")


def test_eval_bundles_compares_fp32_and_int8_on_the_synthetic_set(
    tiny_rn: TinyModel,
    int8_bundle: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fp32 = tmp_path / "fp32"
    export_bundle(load(tiny_rn), fp32, pretrained="random")
    rows_file = tmp_path / "rows.json"
    code = cli.main(
        ["eval-bundles", str(fp32), str(int8_bundle), "--synthetic", "--synthetic-size", "96",
         "-o", str(rows_file), "-q"]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "synthetic" in out and "int8" in out and "ΔSRCC" in out
    fp32_row, int8_row = json.loads(rows_file.read_text())
    assert (fp32_row["precision"], int8_row["precision"]) == ("fp32", "int8")
    assert fp32_row["srcc_diff"] == 0 and fp32_row["max_abs_q_diff"] == 0
    assert int8_row["srcc_diff"] == pytest.approx(int8_row["srcc"] - fp32_row["srcc"])
    assert 0 < int8_row["max_abs_q_diff"] <= LOOSE.max_abs_q_diff
    assert fp32_row["images"] == int8_row["images"] > 50


def test_eval_bundles_names_a_bad_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["eval-bundles", str(tmp_path / "missing"), "--synthetic"])
    assert code == 2
    assert "cannot read bundle" in capsys.readouterr().err


def test_a_quantisation_error_is_one_message(
    tiny_rn: TinyModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("no kernel for this node")

    monkeypatch.setattr(export, "quantize_onnx", broken)
    out = tmp_path / "bundle"
    code = cli.main(["export", "--int8", "-o", str(out), *tiny_rn.model_args()])
    err = capsys.readouterr().err
    assert code == 2 and "could not quantise the model (RuntimeError: no kernel" in err
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []
