"""Loading a frozen open_clip model and running it the way MA-CLIP needs.

* :func:`load_backbone` builds any open_clip model by name with a pretrained
  tag (downloaded once into the open_clip/Hugging Face cache, then used
  offline), or with a local checkpoint file (a state dict, loaded safely).
* :meth:`Backbone.encode_views` runs the visual tower *without* its positional
  embedding (or with it interpolated to the input grid), so any input size
  works, for both open_clip visual families: ``ModifiedResNet`` (attention
  pool) and ``VisionTransformer``. It returns *unnormalised* embeddings.
* :meth:`Backbone.prompt_features` encodes antonym prompt pairs once per
  prompt set and caches the result.
"""

from __future__ import annotations

import contextlib
import os
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import open_clip
import torch
import torch.nn.functional as F
from open_clip.modified_resnet import ModifiedResNet
from open_clip.transformer import VisionTransformer

PosEmbedding = Literal["drop", "interpolate"]
Precision = Literal["auto", "fp32", "fp16", "bf16"]

_DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class BackboneError(RuntimeError):
    """A backbone that cannot be built or loaded; the message says what to do."""


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` picks CUDA, then Apple MPS, then the CPU; anything else is passed to torch."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except RuntimeError as err:
        raise BackboneError(
            f"unknown device {device!r} (use auto, cpu, cuda, cuda:N or mps)"
        ) from err
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise BackboneError(f"device {device!r} asked for, but CUDA is not available here")
    if resolved.type == "mps" and not torch.backends.mps.is_available():
        raise BackboneError(f"device {device!r} asked for, but MPS is not available here")
    return resolved


def resolve_precision(precision: str, device: torch.device) -> torch.dtype:
    """Compute dtype of the visual encoder: ``auto`` is fp16 on CUDA/MPS, fp32 on CPU.

    On CUDA, ``auto`` prefers bf16 where the GPU supports it (same speed, wider range).
    """
    if precision == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float16 if device.type == "mps" else torch.float32
    if precision not in _DTYPES:
        raise BackboneError(f"unknown precision {precision!r} (use auto, fp32, fp16 or bf16)")
    dtype = _DTYPES[precision]
    if device.type == "cuda" and dtype == torch.bfloat16 and not torch.cuda.is_bf16_supported():
        raise BackboneError("this CUDA device does not support bf16; use fp16 or fp32")
    return dtype


def _interpolate_grid(pos: torch.Tensor, grid: tuple[int, int]) -> torch.Tensor:
    """Resize a ``(1 + S*S, C)`` positional table (class token first) to ``(1 + h*w, C)``."""
    cls, spatial = pos[:1], pos[1:]
    side = int(round(spatial.shape[0] ** 0.5))
    if (side, side) == grid:
        return pos
    table = spatial.reshape(1, side, side, -1).permute(0, 3, 1, 2).float()
    table = F.interpolate(table, size=grid, mode="bicubic", align_corners=False)
    return torch.cat([cls, table.permute(0, 2, 3, 1).reshape(-1, pos.shape[-1]).to(pos.dtype)])


def _resnet_forward(visual: ModifiedResNet, x: torch.Tensor, pos: PosEmbedding) -> torch.Tensor:
    """ModifiedResNet forward with the attention pool's positional embedding dropped or resized."""
    x = visual.stem(x)
    x = visual.layer4(visual.layer3(visual.layer2(visual.layer1(x))))
    pool = visual.attnpool
    h, w = x.shape[-2:]
    tokens = x.flatten(2).permute(2, 0, 1)  # (HW, N, C)
    tokens = torch.cat([tokens.mean(dim=0, keepdim=True), tokens], dim=0)
    if pos == "interpolate":
        tokens = tokens + _interpolate_grid(pool.positional_embedding, (h, w))[:, None].to(x.dtype)
    out, _ = F.multi_head_attention_forward(
        query=tokens[:1],
        key=tokens,
        value=tokens,
        embed_dim_to_check=tokens.shape[-1],
        num_heads=pool.num_heads,
        q_proj_weight=pool.q_proj.weight,
        k_proj_weight=pool.k_proj.weight,
        v_proj_weight=pool.v_proj.weight,
        in_proj_weight=None,
        in_proj_bias=torch.cat([pool.q_proj.bias, pool.k_proj.bias, pool.v_proj.bias]),
        bias_k=None,
        bias_v=None,
        add_zero_attn=False,
        dropout_p=0.0,
        out_proj_weight=pool.c_proj.weight,
        out_proj_bias=pool.c_proj.bias,
        use_separate_proj_weight=True,
        training=False,
        need_weights=False,
    )
    return out[0]


def _vit_forward(visual: VisionTransformer, x: torch.Tensor, pos: PosEmbedding) -> torch.Tensor:
    """VisionTransformer forward with the positional embedding dropped or resized."""
    x = visual.conv1(x)
    grid = (x.shape[-2], x.shape[-1])
    x = x.flatten(2).permute(0, 2, 1)  # (N, h*w, C)
    cls = visual.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
    x = torch.cat([cls, x], dim=1)
    if pos == "interpolate":
        x = x + _interpolate_grid(visual.positional_embedding, grid).to(x.dtype)
    x = visual.ln_pre(visual.patch_dropout(x))
    x = visual.transformer(x)
    pooled, _ = visual._pool(x)
    if visual.proj is not None:
        pooled = pooled @ visual.proj
    return pooled


def visual_family(model: torch.nn.Module) -> str:
    """``"resnet"`` or ``"vit"``; raises :class:`BackboneError` for other visual towers."""
    visual = getattr(model, "visual", None)
    if isinstance(visual, ModifiedResNet):
        return "resnet"
    if isinstance(visual, VisionTransformer):
        return "vit"
    raise BackboneError(
        f"visual tower {type(visual).__name__} is not supported: MA-CLIP needs open_clip's "
        "ModifiedResNet (RN50, RN101, ...) or VisionTransformer (ViT-B-32, ...)"
    )


@dataclass
class Backbone:
    """A frozen open_clip model ready for MA-CLIP.

    Attributes:
        model: The open_clip CLIP model, in eval mode, on ``device``, fp32 weights.
        name: open_clip model name, e.g. ``"RN50"``.
        weights: Where the weights came from: a pretrained tag, a file path or ``"random"``.
        device: Where the model runs.
        dtype: Compute dtype of the visual encoder (autocast when not fp32).
        pos_embedding: ``"drop"`` (the paper) or ``"interpolate"``.
        mean: ``(3,)`` normalisation mean of the model's preprocessing.
        std: ``(3,)`` normalisation std.
        logit_scale: CLIP's exponentiated logit scale.
    """

    model: torch.nn.Module
    name: str
    weights: str
    device: torch.device
    dtype: torch.dtype
    pos_embedding: PosEmbedding
    mean: torch.Tensor
    std: torch.Tensor
    logit_scale: float
    family: str = ""
    channels_last: bool = False
    compiled: bool = False
    _text_cache: dict[tuple[tuple[str, str], ...], torch.Tensor] = field(default_factory=dict)
    _forward: Callable[[torch.Tensor], torch.Tensor] | None = None
    _pad_to: int = 0

    def __post_init__(self) -> None:
        self.family = visual_family(self.model)

    def set_speed(
        self, *, channels_last: bool | None = None, compile: bool = False, batch_size: int = 0
    ) -> None:
        """Choose how the visual encoder runs; the maths stays the same.

        Args:
            channels_last: NHWC memory layout for the ResNet convolutions; ``None`` picks
                the default for the family and device (:func:`default_channels_last`).
            compile: Run the visual forward through :func:`torch.compile` (compiled once
                per input shape on first use, which takes tens of seconds).
            batch_size: With ``compile``, batches smaller than this are padded to it (and
                the padding's outputs dropped) so one compiled shape serves every batch.
        """
        if channels_last is None:
            channels_last = default_channels_last(self.family, self.device)
        self.channels_last = channels_last and self.family == "resnet"
        layout = torch.channels_last if self.channels_last else torch.contiguous_format
        self.visual.to(memory_format=layout)
        self.compiled = compile
        self._forward = torch.compile(self._visual_forward, dynamic=False) if compile else None
        self._pad_to = batch_size if compile else 0

    def _visual_forward(self, views: torch.Tensor) -> torch.Tensor:
        visual = self.visual
        if isinstance(visual, ModifiedResNet):
            return _resnet_forward(visual, views, self.pos_embedding)
        return _vit_forward(visual, views, self.pos_embedding)

    def _kernel_flags(self) -> contextlib.AbstractContextManager[Any]:
        """cuDNN settings: autotuned kernels, and no TF32 rounding when fp32 is asked for."""
        if self.device.type != "cuda":
            return contextlib.nullcontext()
        return torch.backends.cudnn.flags(
            enabled=True,
            benchmark=True,
            deterministic=False,
            allow_tf32=self.dtype != torch.float32,
        )

    @property
    def visual(self) -> ModifiedResNet | VisionTransformer:
        """The visual tower."""
        visual = self.model.visual
        assert isinstance(visual, (ModifiedResNet, VisionTransformer))
        return visual

    @property
    def embed_dim(self) -> int:
        """Dimension ``D`` of the joint embedding."""
        return int(self.visual.output_dim)

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.dtype == torch.float32:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def normalise(self, image: torch.Tensor) -> torch.Tensor:
        """CLIP mean/std normalisation of ``(..., 3, H, W)`` pixels in [0, 1]."""
        mean = self.mean.to(image.device)[:, None, None]
        std = self.std.to(image.device)[:, None, None]
        return (image - mean) / std

    @torch.inference_mode()
    def encode_views(self, views: torch.Tensor) -> torch.Tensor:
        """Unnormalised image embeddings of normalised views.

        Args:
            views: ``(N, 3, H, W)`` CLIP-normalised views, any ``H``, ``W`` that the
                tower's strides allow (multiples of 32 for ResNets, of the patch size for ViTs).

        Returns:
            ``(N, D)`` float32 embeddings on ``self.device``.
        """
        views = views.to(self.device, non_blocking=True)
        count = len(views)
        if self._pad_to > count:
            views = torch.cat([views, views.new_zeros((self._pad_to - count, *views.shape[1:]))])
        if self.channels_last:
            views = views.contiguous(memory_format=torch.channels_last)
        forward = self._forward or self._visual_forward
        with self._kernel_flags(), self._autocast():
            out = forward(views)
        return out[:count].float()

    @torch.inference_mode()
    def prompt_features(self, pairs: Sequence[tuple[str, str]]) -> torch.Tensor:
        """L2-normalised embeddings of antonym prompt pairs, computed once per prompt set.

        Args:
            pairs: ``P`` pairs ``(positive, negative)``.

        Returns:
            ``(P, 2, D)`` float32 tensor on ``self.device``.
        """
        key = tuple((str(p), str(n)) for p, n in pairs)
        if not key:
            raise ValueError("at least one prompt pair is needed")
        if key not in self._text_cache:
            tokenizer = open_clip.get_tokenizer(self.name)
            tokens = tokenizer([text for pair in key for text in pair]).to(self.device)
            text = self.model.encode_text(tokens).float()  # type: ignore[operator]
            text = F.normalize(text, dim=-1).reshape(len(key), 2, -1)
            self._text_cache[key] = text
        return self._text_cache[key]


def default_channels_last(family: str, device: torch.device) -> bool:
    """Whether ResNet convolutions run faster in NHWC on ``device``.

    Measured with ``benchmarks/throughput.py``: on the CPU (oneDNN) NHWC RN50 runs
    about twice as fast as NCHW; on CUDA it is the layout tensor-core kernels prefer.
    ViTs have a single patch convolution, so their layout does not matter.
    """
    return family == "resnet" and device.type in ("cpu", "cuda")


def _register_config(model_config: str | os.PathLike | None) -> None:
    if model_config is None:
        return
    path = Path(model_config)
    if not path.exists():
        raise BackboneError(f"model config {path} does not exist")
    open_clip.add_model_config(path)


def _missing_weights_message(name: str, pretrained: str, err: Exception) -> str:
    return (
        f"could not obtain weights for backbone {name!r}, pretrained tag {pretrained!r}: {err}\n"
        "The first use of a pretrained tag downloads its weights into the open_clip/Hugging Face "
        "cache (--cache-dir); without network access, pass a local state-dict file instead: "
        "--backbone NAME --checkpoint PATH (.pt/.pth/.bin or .safetensors)."
    )


#: Seconds the download server has to answer before the hub is taken as unreachable.
HUB_PROBE_TIMEOUT = 5.0


def _weights_url(name: str, pretrained: str) -> str:
    """The URL open_clip downloads a pretrained tag's weights from (Hugging Face first)."""
    config = open_clip.get_pretrained_cfg(name, pretrained)
    if config.get("hf_hub"):
        from huggingface_hub import constants

        repo, filename = os.path.split(config["hf_hub"])
        return (
            f"{constants.ENDPOINT}/{repo}/resolve/main/{filename or 'open_clip_pytorch_model.bin'}"
        )
    return str(config.get("url", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer: it comes back as an HTTPError with its code


def hub_reachable(url: str, timeout: float = HUB_PROBE_TIMEOUT) -> bool:
    """Whether the server of ``url`` answers a HEAD request within ``timeout`` seconds.

    One request, no retries, through the environment's proxy. Any status below 500
    counts (a 404 still says the server is there), except 403 and 407, which are
    what proxies answer for sites they block.
    """
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, method="HEAD"), timeout=timeout) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as err:
        status = err.code
    except (OSError, ValueError):  # no route, refused, timed out, TLS failure, bad URL
        return False
    return status < 500 and status not in (403, 407)


@contextlib.contextmanager
def _hub_offline(offline: bool) -> Iterator[None]:
    """Hugging Face hub offline mode (cached files only, no request) while inside."""
    from huggingface_hub import constants

    before = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = before or offline
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = before


def _fetch_pretrained(
    name: str, pretrained: str, cache_dir: str | os.PathLike | None
) -> torch.nn.Module:
    """open_clip's model with a pretrained tag, from the cache or downloaded.

    When the download server does not answer within :data:`HUB_PROBE_TIMEOUT`, the hub
    is put offline: cached weights load at once and missing ones fail at once, instead
    of retrying for a minute. Repeated warnings (one per file name tried) show once.
    """
    from huggingface_hub import constants

    offline = bool(constants.HF_HUB_OFFLINE) or not hub_reachable(_weights_url(name, pretrained))
    try:
        with _hub_offline(offline), warnings.catch_warnings():
            warnings.simplefilter("once")
            return open_clip.create_model(
                name, pretrained=pretrained, cache_dir=None if cache_dir is None else str(cache_dir)
            )
    except Exception as err:  # noqa: BLE001 - download/hub errors of many kinds
        if offline:
            raise BackboneError(
                f"weights for backbone {name!r}, pretrained tag {pretrained!r} are not in the "
                f"download cache ({cache_dir or 'the open_clip/Hugging Face default'}) and the "
                "download server cannot be reached (or HF_HUB_OFFLINE is set); run once with "
                "internet access to fill the cache, or pass --checkpoint PATH"
            ) from err
        raise BackboneError(_missing_weights_message(name, pretrained, err)) from err


def create_clip(
    name: str,
    pretrained: str | None,
    checkpoint: str | os.PathLike | None,
    cache_dir: str | os.PathLike | None,
) -> tuple[torch.nn.Module, str]:
    """Build the open_clip model and say where its weights came from.

    Raises:
        BackboneError: unknown name, missing file, or weights that cannot be obtained.
    """
    if name not in open_clip.list_models():
        raise BackboneError(
            f"unknown backbone {name!r}; `maclip-pytorch models` lists the built-in names, "
            "and --model-config registers a custom open_clip config"
        )
    if checkpoint is not None:
        path = Path(checkpoint)
        if not path.is_file():
            raise BackboneError(f"checkpoint file {path} does not exist")
        try:
            model = open_clip.create_model(name, pretrained=str(path), weights_only=True)
        except Exception as err:  # noqa: BLE001 - any load failure becomes one message
            raise BackboneError(
                f"cannot load checkpoint {path} into backbone {name!r}: {err}"
            ) from err
        return model, str(path)
    if not pretrained or pretrained.lower() in ("none", "random"):
        with torch.random.fork_rng(devices=[]):  # the same random weights on every run
            torch.manual_seed(0)
            return open_clip.create_model(name, pretrained=None), "random"
    tags = open_clip.list_pretrained_tags_by_model(name)
    if pretrained not in tags:
        raise BackboneError(
            f"unknown pretrained tag {pretrained!r} for {name!r}; known tags: "
            f"{', '.join(tags) or 'none (use --checkpoint)'}"
        )
    return _fetch_pretrained(name, pretrained, cache_dir), pretrained


def load_backbone(
    name: str = "RN50",
    pretrained: str | None = "openai",
    *,
    checkpoint: str | os.PathLike | None = None,
    model_config: str | os.PathLike | None = None,
    device: str | torch.device = "auto",
    precision: str = "fp32",
    pos_embedding: PosEmbedding = "drop",
    cache_dir: str | os.PathLike | None = None,
) -> Backbone:
    """Build a frozen :class:`Backbone`.

    Args:
        name: open_clip model name (``open_clip.list_models()``), e.g. ``"RN50"``, ``"ViT-B-32"``.
        pretrained: open_clip pretrained tag (``"openai"``, ``"laion2b_s34b_b79k"``, ...),
            ignored when ``checkpoint`` is given; ``None`` or ``"random"`` for random weights
            (seeded: the same on every run, for benchmarks and trials without a download).
        checkpoint: Local state-dict file (``.safetensors``, or ``.pt``/``.pth``/``.bin`` read
            with ``torch.load(weights_only=True)``).
        model_config: An open_clip model config JSON (or folder of them) to register first.
        device: ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
        precision: ``"fp32"``, ``"fp16"``, ``"bf16"`` or ``"auto"``.
        pos_embedding: ``"drop"`` (paper, any input size) or ``"interpolate"``.
        cache_dir: Download cache for pretrained tags.
    """
    if pos_embedding not in ("drop", "interpolate"):
        raise BackboneError(f"pos_embedding must be 'drop' or 'interpolate', not {pos_embedding!r}")
    _register_config(model_config)
    resolved = resolve_device(device)
    dtype = resolve_precision(precision, resolved)
    model, weights = create_clip(name, pretrained, checkpoint, cache_dir)
    model = model.to(resolved).eval().requires_grad_(False)
    cfg: dict[str, Any] = getattr(model.visual, "preprocess_cfg", None) or {}
    mean = torch.tensor(cfg.get("mean", open_clip.OPENAI_DATASET_MEAN), dtype=torch.float32)
    std = torch.tensor(cfg.get("std", open_clip.OPENAI_DATASET_STD), dtype=torch.float32)
    return Backbone(
        model=model,
        name=name,
        weights=weights,
        device=resolved,
        dtype=dtype,
        pos_embedding=pos_embedding,
        mean=mean,
        std=std,
        logit_scale=float(model.logit_scale.exp().item()),  # type: ignore[operator]
    )


def iter_backbones() -> Iterator[tuple[str, str, list[str]]]:
    """``(name, family, pretrained tags)`` for every built-in open_clip model MA-CLIP can run."""
    for name in open_clip.list_models():
        cfg = open_clip.get_model_config(name) or {}
        vision = cfg.get("vision_cfg", {})
        if "timm_model_name" in vision or vision.get("attentional_pool"):
            continue
        family = "resnet" if isinstance(vision.get("layers"), (list, tuple)) else "vit"
        yield name, family, open_clip.list_pretrained_tags_by_model(name)
