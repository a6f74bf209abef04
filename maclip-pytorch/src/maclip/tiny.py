"""Tiny open_clip models with seeded random weights, for tests and golden files.

Two configs small enough to commit (well under 2 MB each) cover both visual
families MA-CLIP runs: ``TinyRN`` (a ``ModifiedResNet`` with an attention
pool) and ``TinyViT`` (a ``VisionTransformer``). :func:`build_tiny_model`
writes a config JSON and its seeded random weights (a ``.pt`` state dict and a
``.safetensors`` file) so that they load through the real checkpoint path.
Nothing here downloads anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import open_clip
import torch
from safetensors.torch import save_file

from .scorer import Scorer

_TEXT_CFG = {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1}

#: open_clip configs of the tiny models, by name.
TINY_CONFIGS: dict[str, dict[str, Any]] = {
    "TinyRN": {
        "embed_dim": 32,
        "vision_cfg": {"image_size": 224, "layers": [1, 1, 1, 1], "width": 8, "patch_size": None},
        "text_cfg": _TEXT_CFG,
    },
    "TinyViT": {
        "embed_dim": 32,
        "vision_cfg": {
            "image_size": 224,
            "layers": 2,
            "width": 32,
            "head_width": 16,
            "patch_size": 32,
        },
        "text_cfg": _TEXT_CFG,
    },
}


@dataclass(frozen=True)
class TinyModel:
    """A tiny backbone on disk: its name, config file and weight files."""

    name: str
    config: Path
    checkpoint: Path
    safetensors: Path

    def scorer(self, **kwargs: Any) -> Scorer:
        """A CPU fp32 :class:`Scorer` loading this model through the checkpoint path."""
        kwargs.setdefault("device", "cpu")
        return Scorer(self.name, checkpoint=self.checkpoint, model_config=self.config, **kwargs)

    def cli_args(self) -> list[str]:
        """The ``maclip-pytorch`` model options that load this model on the CPU."""
        return [*self.model_args(), "--device", "cpu"]

    def model_args(self) -> list[str]:
        """``--backbone``, ``--model-config`` and ``--checkpoint`` of this model."""
        return [
            "--backbone",
            self.name,
            "--model-config",
            str(self.config),
            "--checkpoint",
            str(self.checkpoint),
        ]


def random_photo(height: int, width: int, seed: int = 0) -> np.ndarray:
    """A smooth random RGB uint8 image (gradients plus noise), ``(height, width, 3)``."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([np.sin(x / (7 + 3 * c) + c) * np.cos(y / (11 + c)) for c in range(3)], axis=-1)
    noisy = 127.5 * (base + 1.0) + rng.normal(0, 12, size=(height, width, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _calibrate_batchnorm(model: torch.nn.Module) -> None:
    """Give a random ResNet live residual branches and BatchNorm statistics of real-ish images.

    open_clip zero-initialises the last BatchNorm of each block, which leaves a random
    ResNet almost blind to its input; calibrated statistics make its embeddings vary.
    """
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    if not norms:
        return
    with torch.no_grad():
        for norm in norms:
            norm.weight.normal_(1.0, 0.2)
            norm.momentum = None  # cumulative average over the calibration batches
        images = torch.stack(
            [
                torch.from_numpy(random_photo(224, 224, seed)).permute(2, 0, 1).float() / 255.0
                for seed in range(8)
            ]
        )
        visual = model.visual
        assert isinstance(visual, torch.nn.Module)
        visual.train()
        visual((images - 0.45) / 0.27)
        model.eval()


def build_tiny_model(name: str, folder: Path, seed: int = 0) -> TinyModel:
    """Write the config and seeded random weights of tiny model ``name`` into ``folder``.

    The same ``seed`` gives the same weights on every run; the caller's random state
    is left untouched. The config is registered with open_clip under ``name``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / f"{name}.json"
    config.write_text(json.dumps(TINY_CONFIGS[name]))
    open_clip.add_model_config(config)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = open_clip.create_model(name, pretrained=None)
        _calibrate_batchnorm(model)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    checkpoint = folder / f"{name}.pt"
    torch.save(state, checkpoint)
    safetensors = folder / f"{name}.safetensors"
    save_file(state, str(safetensors))
    return TinyModel(name, config, checkpoint, safetensors)
