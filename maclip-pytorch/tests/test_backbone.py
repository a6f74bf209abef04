"""Loading tiny open_clip models through the real paths, and the position-free forward."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import open_clip
import pytest
import torch

from maclip import backbone as backbone_module
from maclip.backbone import (
    BackboneError,
    create_clip,
    hub_reachable,
    iter_backbones,
    load_backbone,
    resolve_precision,
)

from .conftest import TinyModel


def load(model: TinyModel, **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("device", "cpu")
    return load_backbone(
        model.name, checkpoint=model.checkpoint, model_config=model.config, **kwargs
    )


@pytest.fixture(params=["TinyRN", "TinyViT"])
def tiny(request: pytest.FixtureRequest, tiny_models: dict[str, TinyModel]) -> TinyModel:
    return tiny_models[request.param]


def test_pt_and_safetensors_checkpoints_load_the_same_weights(tiny: TinyModel) -> None:
    from_pt = load(tiny)
    from_st = load_backbone(
        tiny.name, checkpoint=tiny.safetensors, model_config=tiny.config, device="cpu"
    )
    views = torch.randn(2, 3, 224, 224)
    torch.testing.assert_close(from_pt.encode_views(views), from_st.encode_views(views))
    assert from_pt.weights == str(tiny.checkpoint)
    assert from_pt.family == ("resnet" if tiny.name == "TinyRN" else "vit")
    assert from_pt.logit_scale == pytest.approx(1 / 0.07, rel=1e-5)  # open_clip's initial value


def test_interpolated_position_at_native_size_equals_open_clip(tiny: TinyModel) -> None:
    backbone = load(tiny, pos_embedding="interpolate")
    views = torch.randn(3, 3, 224, 224)
    native = backbone.model.encode_image(views)
    torch.testing.assert_close(backbone.encode_views(views), native, atol=1e-5, rtol=1e-5)
    dropped = load(tiny).encode_views(views)
    assert not torch.allclose(dropped, native, atol=1e-3)


@pytest.mark.parametrize("pos", ["drop", "interpolate"])
def test_any_input_size_works(tiny: TinyModel, pos: str) -> None:
    backbone = load(tiny, pos_embedding=pos)
    out = backbone.encode_views(torch.randn(2, 3, 256, 320))
    assert out.shape == (2, backbone.embed_dim) and torch.isfinite(out).all()


def test_prompt_features_are_normalised_and_cached(
    tiny_rn: TinyModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    backbone = load(tiny_rn)
    calls = []
    original = backbone.model.encode_text
    monkeypatch.setattr(backbone.model, "encode_text", lambda t: calls.append(1) or original(t))
    pairs = [("good", "bad"), ("sharp", "blurry")]
    first = backbone.prompt_features(pairs)
    second = backbone.prompt_features(pairs)
    assert first is second and len(calls) == 1
    assert first.shape == (2, 2, 32)
    torch.testing.assert_close(first.norm(dim=-1), torch.ones(2, 2))


def test_unknown_names_and_files_give_clear_errors(tiny_rn: TinyModel, tmp_path: Path) -> None:
    with pytest.raises(BackboneError, match="unknown backbone 'NoSuchNet'.*maclip-pytorch models"):
        load_backbone("NoSuchNet", device="cpu")
    with pytest.raises(BackboneError, match="checkpoint file .* does not exist"):
        load_backbone(tiny_rn.name, checkpoint=tmp_path / "none.pt", device="cpu")
    with pytest.raises(BackboneError, match="unknown pretrained tag 'nope'"):
        load_backbone("RN50", pretrained="nope", device="cpu")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(BackboneError, match="cannot load checkpoint"):
        load_backbone(tiny_rn.name, checkpoint=bad, device="cpu")
    with pytest.raises(BackboneError, match="pos_embedding"):
        load(tiny_rn, pos_embedding="keep")
    with pytest.raises(BackboneError, match="precision"):
        load(tiny_rn, precision="fp8")


def test_unreachable_weights_say_how_to_work_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Failed to download weights for tag 'openai': no network")

    monkeypatch.setattr(open_clip, "create_model", offline)
    monkeypatch.setattr(backbone_module, "hub_reachable", lambda url: True)
    with pytest.raises(BackboneError, match="(?s)could not obtain weights.*--checkpoint PATH"):
        load_backbone("RN50", pretrained="openai", device="cpu")


def test_auto_precision_on_cpu_is_fp32() -> None:
    assert resolve_precision("auto", torch.device("cpu")) == torch.float32
    assert resolve_precision("bf16", torch.device("cpu")) == torch.bfloat16


def test_models_listing_has_the_paper_backbones() -> None:
    listed = {name: (family, tags) for name, family, tags in iter_backbones()}
    assert listed["RN50"][0] == "resnet" and "openai" in listed["RN50"][1]
    assert listed["ViT-B-32"][0] == "vit"
    assert not any(name.startswith("convnext") for name in listed)


def test_random_weights_are_the_same_on_every_run(tiny_rn: TinyModel) -> None:
    torch.manual_seed(123)
    first = load_backbone(tiny_rn.name, pretrained="random", device="cpu")
    after_load = torch.rand(1)
    torch.manual_seed(456)
    second = load_backbone(tiny_rn.name, pretrained="random", device="cpu")
    assert first.weights == "random"
    views = torch.randn(2, 3, 224, 224)
    torch.testing.assert_close(first.encode_views(views), second.encode_views(views))
    torch.manual_seed(123)
    torch.testing.assert_close(torch.rand(1), after_load)  # the caller's stream is untouched


def test_cached_weights_load_offline_when_the_hub_is_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(backbone_module, "hub_reachable", lambda url: False)
    offline_during_load = []
    model = torch.nn.Linear(1, 1)

    def from_cache(name: str, pretrained: str, cache_dir: str | None = None) -> torch.nn.Module:
        offline_during_load.append(constants.HF_HUB_OFFLINE)
        return model

    monkeypatch.setattr(open_clip, "create_model", from_cache)
    assert create_clip("RN50", "openai", None, None) == (model, "openai")
    assert offline_during_load == [True] and constants.HF_HUB_OFFLINE is False


def test_reachable_hub_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    probes: list[str] = []
    monkeypatch.setattr(backbone_module, "hub_reachable", lambda url: probes.append(url) or True)

    def failing(name: str, pretrained: str, cache_dir: str | None = None) -> torch.nn.Module:
        assert constants.HF_HUB_OFFLINE is False
        raise RuntimeError("404 from the hub")

    monkeypatch.setattr(open_clip, "create_model", failing)
    with pytest.raises(BackboneError, match="(?s)404 from the hub.*--checkpoint PATH"):
        create_clip("RN50", "openai", None, None)
    repo = open_clip.get_pretrained_cfg("RN50", "openai")["hf_hub"].rstrip("/")
    assert probes == [f"{constants.ENDPOINT}/{repo}/resolve/main/open_clip_pytorch_model.bin"]


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:  # noqa: N802 - the name http.server calls
        status = int(self.path.strip("/"))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")  # never followed
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_hub_reachable_asks_once_and_reads_the_status() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        answers = {code: hub_reachable(f"{base}/{code}", 2.0) for code in (200, 302, 404, 403, 503)}
    finally:
        server.shutdown()
        server.server_close()
    assert answers == {200: True, 302: True, 404: True, 403: False, 503: False}
    assert not hub_reachable(base + "/200", 2.0)  # nothing listens any more
    assert not hub_reachable("", 2.0)
