"""Shared fixtures: the tiny models of :mod:`maclip.tiny`, loaded through the real path.

No test downloads anything. Each tiny model is an open_clip config JSON with
seeded random weights, written to a temporary folder as both a ``.pt`` state
dict and a ``.safetensors`` file, then registered with ``--model-config``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from maclip import Scorer
from maclip.tiny import TINY_CONFIGS, TinyModel, build_tiny_model, random_photo

__all__ = ["TinyModel", "random_photo", "save_photo"]


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TinyModel]:
    folder = tmp_path_factory.mktemp("tiny-models")
    return {name: build_tiny_model(name, folder) for name in TINY_CONFIGS}


@pytest.fixture(scope="session")
def tiny_rn(tiny_models: dict[str, TinyModel]) -> TinyModel:
    return tiny_models["TinyRN"]


@pytest.fixture(scope="session")
def tiny_vit(tiny_models: dict[str, TinyModel]) -> TinyModel:
    return tiny_models["TinyViT"]


@pytest.fixture(scope="session")
def rn_scorer(tiny_rn: TinyModel) -> Scorer:
    return tiny_rn.scorer()


def save_photo(path: Path, height: int, width: int, seed: int = 0, **save_kwargs: object) -> Path:
    """Write :func:`random_photo` to ``path`` (format from the suffix)."""
    Image.fromarray(random_photo(height, width, seed)).save(path, **save_kwargs)
    return path
