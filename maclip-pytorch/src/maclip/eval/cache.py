"""An on-disk cache of CLIP features, so that a dataset is encoded once.

Everything MA-CLIP computes after the visual encoder (``Q_sim``, ``Q_mag``,
fusion, any method, λ, α or base) needs only the *unnormalised* per-view image
embeddings and the prompt embeddings. This module stores both:

``ROOT/v1/<model digest>/``
    ``model.json``
        The settings the digest is computed from: backbone name, weights (a
        pretrained tag, ``"random"``, or ``"sha256:<hex>"`` of a checkpoint file),
        view settings, positional-embedding mode and compute precision.
    ``text-<prompts digest>.npz``
        ``prompts`` ``(P, 2)`` str, ``features`` ``(P, 2, D)`` float32 (L2-normalised,
        as the backbone returns them), ``logit_scale`` ``()`` float64.
    ``images/<first 2 hex>/<sha256 of the image content>.npz``
        ``features`` ``(V, D)`` float32 unnormalised view embeddings, ``boxes``
        ``(V, 5)`` int64 rows ``(top, left, height, width, is_global)`` in the
        prepared frame, ``size`` and ``prepared_size`` ``(2,)`` int64 ``(height, width)``.

Files are written to a temporary name in the same folder and renamed into place
(atomic on POSIX and Windows), so an interrupted run leaves only whole entries,
a rerun carries on where it stopped, and two runs sharing a cache at most both
compute an entry and write the same bytes. Unreadable entries count as misses.
The key does not include the device: features from CUDA and the CPU differ
only by floating-point rounding.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from ..backbone import Backbone
from ..images import ImageError, ImageSource
from ..scorer import ImageFeatures, Scorer
from ..views import ViewBox, ViewConfig

FORMAT = "v1"


def default_cache_dir() -> Path:
    """``$MACLIP_FEATURE_CACHE``, else ``$XDG_CACHE_HOME/maclip/features`` (``~/.cache/...``)."""
    if os.environ.get("MACLIP_FEATURE_CACHE"):
        return Path(os.environ["MACLIP_FEATURE_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "maclip" / "features"


@cache
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of a file's bytes (memoised per path, size and modification time)."""
    stat = os.stat(path)
    return _file_sha256(os.fspath(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


def content_hash(source: ImageSource) -> str:
    """SHA-256 of an input's content: a file's bytes, or an in-memory image's pixels.

    A file and its bytes hash alike (they decode alike). Raises ``OSError`` for
    unreadable files.
    """
    if isinstance(source, (str, os.PathLike)):
        return file_sha256(source)
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    if isinstance(source, Image.Image):
        header = f"pil:{source.mode}:{source.size}".encode()
        return hashlib.sha256(header + source.tobytes()).hexdigest()
    array = source.detach().cpu().numpy() if isinstance(source, torch.Tensor) else source
    array = np.ascontiguousarray(array)
    header = f"array:{array.dtype.str}:{array.shape}".encode()
    return hashlib.sha256(header + array.tobytes()).hexdigest()


def weights_id(weights: str) -> str:
    """A pretrained tag or ``"random"`` as is; a checkpoint file as ``sha256:<hex>``."""
    return f"sha256:{file_sha256(weights)}" if os.path.isfile(weights) else weights


@dataclass(frozen=True)
class ModelKey:
    """Everything that changes the view embeddings of an image (besides its content).

    Attributes:
        backbone: open_clip model name.
        weights: Pretrained tag, ``"random"``, or ``"sha256:<hex>"`` of a checkpoint.
        views: How images are resized and cut.
        pos_embedding: ``"drop"`` or ``"interpolate"``.
        precision: Compute dtype of the visual encoder, e.g. ``"float32"``.
    """

    backbone: str
    weights: str
    views: ViewConfig
    pos_embedding: str
    precision: str

    @classmethod
    def for_backbone(cls, backbone: Backbone, views: ViewConfig) -> ModelKey:
        """The key of a loaded backbone cutting views as ``views``."""
        return cls(
            backbone.name,
            weights_id(backbone.weights),
            views,
            backbone.pos_embedding,
            str(backbone.dtype).removeprefix("torch."),
        )

    def to_json(self) -> dict[str, Any]:
        """The key as plain JSON data (``model.json``)."""
        record = asdict(self)
        record["format"] = FORMAT
        return record

    @property
    def digest(self) -> str:
        """24 hex digits of the SHA-256 of the canonical JSON form."""
        text = json.dumps(self.to_json(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class TextFeatures:
    """Prompt-pair embeddings and the temperature that goes with them.

    Attributes:
        prompts: ``P`` pairs ``(positive, negative)``.
        features: ``(P, 2, D)`` float32 CPU tensor.
        logit_scale: CLIP's exponentiated logit scale.
    """

    prompts: tuple[tuple[str, str], ...]
    features: torch.Tensor
    logit_scale: float

    @classmethod
    def from_scorer(cls, scorer: Scorer) -> TextFeatures:
        return cls(scorer.prompts, scorer.text_features.float().cpu(), scorer.backbone.logit_scale)


def prompts_digest(prompts: Sequence[tuple[str, str]]) -> str:
    return hashlib.sha256(json.dumps([list(p) for p in prompts]).encode()).hexdigest()[:16]


def atomic_write(path: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write ``path`` through a temporary file in its folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _write_bytes(handle: io.BufferedWriter, data: bytes) -> None:
    handle.write(data)


def _write_npz(handle: io.BufferedWriter, arrays: dict[str, np.ndarray]) -> None:
    np.savez(handle, **arrays)  # type: ignore[arg-type]


def _load_npz(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays of an ``.npz`` entry, or ``None`` when absent or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


class FeatureCache:
    """The on-disk store (format in the module docstring).

    Args:
        root: Cache folder; created on first write.
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).expanduser()

    def folder(self, key: ModelKey) -> Path:
        """The folder of one model key (``model.json`` is written the first time)."""
        folder = self.root / FORMAT / key.digest
        if not (folder / "model.json").is_file():
            text = json.dumps(key.to_json(), indent=2, sort_keys=True).encode()
            atomic_write(folder / "model.json", lambda handle: _write_bytes(handle, text))
        return folder

    def _image_path(self, key: ModelKey, digest: str) -> Path:
        return self.folder(key) / "images" / digest[:2] / f"{digest}.npz"

    def has_image(self, key: ModelKey, digest: str) -> bool:
        return self._image_path(key, digest).is_file()

    def load_image(self, key: ModelKey, digest: str, name: str) -> ImageFeatures | None:
        """The stored features of content ``digest``, named ``name``; ``None`` on a miss."""
        data = _load_npz(self._image_path(key, digest))
        if data is None or not {"features", "boxes", "size", "prepared_size"} <= data.keys():
            return None
        boxes = [ViewBox(t, x, h, w, bool(g)) for t, x, h, w, g in data["boxes"].tolist()]
        size = tuple(int(v) for v in data["size"])
        prepared = tuple(int(v) for v in data["prepared_size"])
        features = torch.from_numpy(data["features"].astype(np.float32, copy=False))
        return ImageFeatures(name, size, prepared, boxes, features)  # type: ignore[arg-type]

    def save_image(self, key: ModelKey, digest: str, item: ImageFeatures) -> None:
        """Store one image's features (atomically)."""
        boxes = np.array(
            [(b.top, b.left, b.height, b.width, int(b.is_global)) for b in item.boxes],
            dtype=np.int64,
        ).reshape(-1, 5)
        arrays = {
            "features": item.features.float().cpu().numpy(),
            "boxes": boxes,
            "size": np.array(item.size, dtype=np.int64),
            "prepared_size": np.array(item.prepared_size, dtype=np.int64),
        }
        atomic_write(self._image_path(key, digest), lambda handle: _write_npz(handle, arrays))

    def _text_path(self, key: ModelKey, prompts: Sequence[tuple[str, str]]) -> Path:
        return self.folder(key) / f"text-{prompts_digest(prompts)}.npz"

    def load_text(self, key: ModelKey, prompts: Sequence[tuple[str, str]]) -> TextFeatures | None:
        """Stored prompt embeddings for ``prompts``, or ``None``."""
        data = _load_npz(self._text_path(key, prompts))
        if data is None or not {"features", "logit_scale"} <= data.keys():
            return None
        pairs = tuple((str(p), str(n)) for p, n in prompts)
        return TextFeatures(pairs, torch.from_numpy(data["features"]), float(data["logit_scale"]))

    def save_text(self, key: ModelKey, text: TextFeatures) -> None:
        arrays = {
            "prompts": np.array(text.prompts, dtype=str).reshape(-1, 2),
            "features": text.features.float().cpu().numpy(),
            "logit_scale": np.array(text.logit_scale, dtype=np.float64),
        }
        atomic_write(self._text_path(key, text.prompts), lambda handle: _write_npz(handle, arrays))


class CachedEncoder:
    """Features of images from the cache, running CLIP only for images not yet stored.

    The scorer (and so the model) is built by ``make_scorer`` the first time it is
    needed: a run whose features are all cached never loads CLIP.

    Args:
        cache: The feature store.
        key: Settings of the features (must match what ``make_scorer`` builds).
        prompts: Prompt pairs whose embeddings are wanted.
        make_scorer: Builds the :class:`~maclip.Scorer` that encodes misses.
    """

    def __init__(
        self,
        cache: FeatureCache,
        key: ModelKey,
        prompts: Sequence[tuple[str, str]],
        make_scorer: Callable[[], Scorer],
    ) -> None:
        self.cache = cache
        self.key = key
        self.prompts = tuple((str(p), str(n)) for p, n in prompts)
        self._make_scorer = make_scorer
        self._scorer: Scorer | None = None

    @classmethod
    def for_scorer(cls, cache: FeatureCache, scorer: Scorer) -> CachedEncoder:
        """An encoder that uses an already built scorer (its backbone, views and prompts)."""
        key = ModelKey.for_backbone(scorer.backbone, scorer.views)
        return cls(cache, key, scorer.prompts, lambda: scorer)

    @property
    def scorer(self) -> Scorer:
        if self._scorer is None:
            self._scorer = self._make_scorer()
            built = ModelKey.for_backbone(self._scorer.backbone, self._scorer.views)
            if built != self.key:
                raise ValueError(
                    f"the scorer's settings {built} differ from the cache key {self.key}"
                )
        return self._scorer

    def text(self) -> TextFeatures:
        """Prompt embeddings, from the cache or computed once and stored."""
        stored = self.cache.load_text(self.key, self.prompts)
        if stored is not None:
            return stored
        scorer = self.scorer
        text = TextFeatures(
            self.prompts,
            scorer.backbone.prompt_features(self.prompts).float().cpu(),
            scorer.backbone.logit_scale,
        )
        self.cache.save_text(self.key, text)
        return text

    def encode(
        self,
        items: Sequence[tuple[str, ImageSource]],
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[ImageFeatures | ImageError]:
        """Features of every ``(name, input)``, in order, or the input's :class:`ImageError`.

        Inputs missing from the cache are encoded first (each stored as soon as it is
        done, so an interruption loses at most one batch), then everything is read
        back in order. ``progress(n)`` is called as ``n`` more images are ready.
        """
        digests: list[str | None] = []
        errors: dict[int, ImageError] = {}
        todo: dict[str, ImageSource] = {}
        for i, (name, source) in enumerate(items):
            try:
                digest = content_hash(source)
            except OSError as err:
                errors[i] = ImageError(name, f"cannot read: {err.strerror or err}")
                digests.append(None)
                continue
            digests.append(digest)
            if digest not in todo and not self.cache.has_image(self.key, digest):
                todo[digest] = source
        failed: dict[str, ImageError] = {}
        if todo:
            encoded = self.scorer.iter_features(list(todo.values()))
            for digest, item in zip(todo, encoded, strict=True):
                if isinstance(item, ImageError):
                    failed[digest] = item
                else:
                    self.cache.save_image(self.key, digest, item)
                if progress:
                    progress(1)
        if progress and len(items) > len(todo):
            progress(len(items) - len(todo))
        for i, (name, source) in enumerate(items):
            stored = digests[i]
            if stored is None:
                yield errors[i]
            elif stored in failed:
                yield ImageError(name, failed[stored].reason)
            else:
                yield self.cache.load_image(self.key, stored, name) or self._reencode(
                    name, stored, source
                )

    def _reencode(self, name: str, digest: str, source: ImageSource) -> ImageFeatures | ImageError:
        """Encode again an input whose cache entry turned out unreadable, and store it."""
        item = next(iter(self.scorer.iter_features([source])))
        if isinstance(item, ImageError):
            return ImageError(name, item.reason)
        self.cache.save_image(self.key, digest, item)
        item.key = name
        return item
