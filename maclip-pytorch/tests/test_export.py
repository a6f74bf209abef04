"""`maclip-pytorch export`: the bundle's files and fields, its check, --zip and prompt files."""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import onnx
import pytest
import torch

from maclip import cli, export, load_backbone
from maclip.backbone import Backbone
from maclip.export import ExportError, OnnxEncoder, export_bundle, read_prompt_file
from maclip.quality import DEFAULT_PROMPT_PAIRS
from maclip.selfcheck import read_views

from .conftest import TinyModel, random_photo

#: Every field of maclip.json, as docs/bundle.md lists them.
FIELDS = {
    "format",
    "format_version",
    "backbone",
    "pretrained",
    "family",
    "embed_dim",
    "view",
    "normalisation",
    "logit_scale",
    "prompts",
    "defaults",
    "onnx",
    "versions",
    "export_check",
    "self_check",
}


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(args)
    return code, capsys.readouterr().err


def load(model: TinyModel) -> Backbone:
    return load_backbone(
        model.name, checkpoint=model.checkpoint, model_config=model.config, device="cpu"
    )


@pytest.fixture(scope="module", params=["TinyRN", "TinyViT"])
def exported(
    request: pytest.FixtureRequest,
    tiny_models: dict[str, TinyModel],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[TinyModel, Path, str]:
    model = tiny_models[request.param]
    out = tmp_path_factory.mktemp("bundles") / model.name
    code = cli.main(["export", "-o", str(out), *model.model_args()])
    assert code == 0
    return model, out, request.param


def photo_views(backbone: Backbone, count: int) -> torch.Tensor:
    """CLIP-normalised 224x224 crops of smooth photos (unlike the check's uniform noise)."""
    crops = [
        torch.from_numpy(random_photo(224, 224, seed)).permute(2, 0, 1).float() / 255
        for seed in range(count)
    ]
    return backbone.normalise(torch.stack(crops))


def test_bundle_has_every_field_and_matches_torch(exported: tuple[TinyModel, Path, str]) -> None:
    model, out, name = exported
    assert sorted(p.name for p in out.iterdir()) == sorted(export.BUNDLE_FILES)
    manifest = json.loads((out / "maclip.json").read_text())
    assert set(manifest) == FIELDS
    assert manifest["format"] == "maclip-bundle" and manifest["format_version"] == 1
    assert manifest["backbone"] == name and manifest["pretrained"] == f"checkpoint:{name}.pt"
    assert manifest["family"] == {"TinyRN": "resnet", "TinyViT": "vit"}[name]
    assert manifest["embed_dim"] == 32
    assert manifest["view"] == {
        "patch_size": 224,
        "stride": 128,
        "min_side": 224,
        "include_global": True,
    }
    assert manifest["defaults"] == {
        "method": "maclip",
        "lam": 0.5,
        "alpha": 1.0,
        "b_sim": 1.0,
        "b_mag": 0.6,
    }
    onnx_record = manifest["onnx"]
    onnx_bytes = (out / "visual.onnx").read_bytes()
    assert onnx_record == {
        "file": "visual.onnx",
        "sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "crc32": f"{zlib.crc32(onnx_bytes):08x}",
        "opset": 17,
        "input": "views",
        "output": "embeddings",
    }
    assert set(manifest["versions"]) == {"torch", "open_clip", "maclip_pytorch"}
    check = manifest["export_check"]
    assert 0 <= check["max_abs_embedding_diff"] <= 1e-4 and 0 <= check["max_abs_q_diff"] <= 1e-4

    backbone = load(model)
    assert manifest["logit_scale"] == pytest.approx(backbone.logit_scale, rel=1e-7)
    assert manifest["normalisation"]["mean"] == pytest.approx(backbone.mean.tolist(), abs=1e-7)
    text = backbone.prompt_features(DEFAULT_PROMPT_PAIRS)
    assert [(p["positive"], p["negative"]) for p in manifest["prompts"]] == list(
        DEFAULT_PROMPT_PAIRS
    )
    for pair, expected in zip(manifest["prompts"], text, strict=True):
        for side, want in zip(("positive", "negative"), expected, strict=True):
            got = torch.tensor(pair[f"{side}_embedding"])
            assert len(got) == 32 and torch.linalg.norm(got) == pytest.approx(1.0, abs=1e-6)
            assert torch.allclose(got, want, atol=1e-7)


def test_onnx_graph_is_the_contract(exported: tuple[TinyModel, Path, str]) -> None:
    model, out, _ = exported
    graph = onnx.load(str(out / "visual.onnx"))
    assert graph.opset_import[0].version == 17
    (views,), (embeddings,) = graph.graph.input, graph.graph.output
    dims = [d.dim_param or d.dim_value for d in views.type.tensor_type.shape.dim]
    assert views.name == "views" and dims[1:] == [3, 224, 224] and isinstance(dims[0], str)
    assert embeddings.name == "embeddings"
    backbone = load(model)
    encoder = OnnxEncoder(out / "visual.onnx")
    for count in (1, 5):  # batch sizes other than the traced one
        views_in = photo_views(backbone, count)
        expected = backbone.encode_views(views_in)
        assert torch.allclose(encoder(views_in), expected, atol=1e-4, rtol=0)


def _shifted(out: torch.Tensor) -> torch.Tensor:
    return out + 1e-3


def _one_nan(out: torch.Tensor) -> torch.Tensor:
    out = out.clone()
    out[-1, -1] = float("nan")
    return out


@pytest.mark.parametrize("corrupt", [_shifted, _one_nan])
def test_a_bundle_that_fails_its_check_is_refused(
    corrupt: Callable[[torch.Tensor], torch.Tensor],
    tiny_rn: TinyModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_onnx = OnnxEncoder.__call__
    monkeypatch.setattr(OnnxEncoder, "__call__", lambda self, v: corrupt(run_onnx(self, v)))
    out = tmp_path / "bundle"
    code, err = run(["export", "-o", str(out), *tiny_rn.model_args()], capsys)
    assert code == 2 and "past the tolerance 0.0001" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_tolerance_is_the_refusal_line(tiny_rn: TinyModel, tmp_path: Path) -> None:
    backbone = load(tiny_rn)
    with pytest.raises(ExportError, match="past the tolerance 0"):
        export_bundle(backbone, tmp_path / "strict", tolerance=0.0)
    assert not (tmp_path / "strict").exists()
    assert export.TOLERANCE == 1e-4


def test_zip_holds_both_files_at_its_top_level(
    tiny_vit: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(
        ["export", "-o", str(tmp_path / "vit"), "--zip", *tiny_vit.model_args()], capsys
    )
    assert code == 0 and "largest embedding difference" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vit.zip"]
    with zipfile.ZipFile(tmp_path / "vit.zip") as archive:
        assert sorted(archive.namelist()) == sorted(export.BUNDLE_FILES)
        manifest = json.loads(archive.read("maclip.json"))
        model = archive.read("visual.onnx")
    assert manifest["onnx"]["sha256"] == hashlib.sha256(model).hexdigest()
    assert manifest["onnx"]["crc32"] == f"{zlib.crc32(model):08x}" and manifest["family"] == "vit"


def test_custom_prompt_file(
    tiny_rn: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("# quality\nCrisp photo | smeared photo\n\n  Clean image|grainy image \n")
    out = tmp_path / "bundle"
    code, _ = run(
        ["export", "-o", str(out), "--prompts", str(prompts), *tiny_rn.model_args()], capsys
    )
    assert code == 0
    manifest = json.loads((out / "maclip.json").read_text())
    pairs = [("Crisp photo", "smeared photo"), ("Clean image", "grainy image")]
    assert [(p["positive"], p["negative"]) for p in manifest["prompts"]] == pairs
    text = load(tiny_rn).prompt_features(pairs)
    got = torch.tensor(
        [[p["positive_embedding"], p["negative_embedding"]] for p in manifest["prompts"]]
    )
    assert torch.allclose(got, text, atol=1e-7)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Good image | bad image\nno separator here\n", "prompts.txt:2: expected"),
        ("a | b | c\n", "prompts.txt:1: expected"),
        ("# only a comment\n", "holds no pairs"),
    ],
)
def test_bad_prompt_files_are_clear_errors(
    content: str,
    message: str,
    tiny_rn: TinyModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text(content)
    out = tmp_path / "bundle"
    code, err = run(
        ["export", "-o", str(out), "--prompts", str(prompts), *tiny_rn.model_args()], capsys
    )
    assert code == 2 and message in err and not out.exists()


def test_missing_prompt_file_and_bad_options_are_clear_errors(
    tiny_rn: TinyModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ExportError, match="cannot read prompt file"):
        read_prompt_file(tmp_path / "absent.txt")
    code, err = run(["export", "-o", str(tmp_path / "b"), "--backbone", "NoSuchNet"], capsys)
    assert code == 2 and "unknown backbone 'NoSuchNet'" in err
    (tmp_path / "file").write_text("")
    code, err = run(["export", "-o", str(tmp_path / "file"), *tiny_rn.model_args()], capsys)
    assert code == 2 and "exists and is a file" in err
    interpolating = load_backbone(
        tiny_rn.name,
        checkpoint=tiny_rn.checkpoint,
        model_config=tiny_rn.config,
        device="cpu",
        pos_embedding="interpolate",
    )
    with pytest.raises(ExportError, match="drops the positional embedding"):
        export_bundle(interpolating, tmp_path / "interp")


def test_the_self_check_is_what_onnx_runtime_computes_for_its_stored_views(
    exported: tuple[TinyModel, Path, str],
) -> None:
    _, out, _ = exported
    manifest = json.loads((out / "maclip.json").read_text())
    check = manifest["self_check"]
    data = (out / check["file"]).read_bytes()
    assert check["crc32"] == f"{zlib.crc32(data):08x}" and check["shape"][1:] == [3, 224, 224]
    views = torch.from_numpy(read_views(out, check).copy())
    assert views.shape[0] == len(check["q"]) == len(check["embeddings"]) == 2
    again = OnnxEncoder(out / "visual.onnx")(views)
    assert torch.equal(again, torch.tensor(check["embeddings"]))
    assert check["tolerance"] == {"embedding": 1e-4, "q": 1e-5}
    assert check["computed_on"]["onnxruntime"] and check["computed_on"]["arch"]
