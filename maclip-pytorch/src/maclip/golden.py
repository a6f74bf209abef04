"""Golden files: what the Java scorer's tests compare against.

:func:`write_golden` builds the two tiny models of :mod:`maclip.tiny` (seed 0), exports
each through :func:`maclip.export.export_bundle` (``tinyrn/``, ``tinyvit/``), writes the
golden images (``images/``) and, per bundle, ``<bundle>.golden.json``: the torch
:class:`~maclip.scorer.Scorer`'s results for every case (every image with the default
options, and a few option and method variants), every view included, plus the embedding
of the global view. ``preresized/`` holds the reference's 8-bit pre-resized pixels.

:func:`check_golden` regenerates everything into a temporary folder and lists what
differs from a committed folder, so CI fails when the reference drifts.
"""

from __future__ import annotations

import json
import math
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from .backbone import load_backbone
from .eval.bundles import OnnxBundle
from .export import MANIFEST, ONNX_FILE, OnnxEncoder, export_bundle
from .images import DEFAULT_MAX_PIXELS, ImageError, load_image
from .pipeline import Failed, Preparer
from .quality import FusionParams, Method
from .quantize import Thresholds
from .selfcheck import SELF_CHECK_FILE
from .tiny import TinyModel, build_tiny_model, random_photo
from .views import ViewConfig, cut_views, pre_resize_8bit

#: Bundle folder name of each tiny model.
BUNDLES = {"tinyrn": "TinyRN", "tinyvit": "TinyViT"}
#: The int8 bundle of a tiny model (``export --int8``): folder name, the model's fp32 folder.
INT8_BUNDLE = ("tinyrn-int8", "tinyrn")
#: Limits of the tiny int8 bundle: tiny random models quantise far worse than real ones
#: (TinyRN with 7-bit weights: view cosine 0.983, |ΔQ| 0.075 to 0.083 between torch builds),
#: so these only catch a broken quantisation.
TINY_INT8_LIMITS = Thresholds(min_view_cosine=0.95, max_abs_q_diff=0.15, min_q_spearman=0.7)
#: Largest relative embedding difference of the int8 bundle against a fresh quantisation:
#: torch's fp32 differs between CPU classes, so a fresh calibration's ranges round a few
#: scales the other way and the tiny model carries the flips on (0.073 measured between an
#: AVX-512 VNNI machine and the one that wrote the committed files); this catches a broken
#: quantisation, while the int8 golden scores pin the committed model itself.
INT8_TOLERANCE = 0.2
IMAGES, PRERESIZED, README = "images", "preresized", "README.md"
#: Largest difference accepted by the check, relative to ``max(1, |value|)``.
TOLERANCE = 1e-6
#: The same for embeddings: torch's fp32 kernels differ between CPU classes (AVX2, AVX-512)
#: by up to 3e-6 relative on the tiny models' embeddings, while scores stay within 1e-6.
EMBEDDING_TOLERANCE = 1e-5
#: The manifest fields that may differ between runs (and are not checked).
UNCHECKED_MANIFEST = ("versions", "export_check", "int8_check", "self_check")
#: The int8 bundle's golden scores: its ONNX Runtime scores of the reference's views.
INT8_GOLDEN = f"{INT8_BUNDLE[0]}.golden.json"
COMMAND = "maclip-pytorch golden ../maclip-scoring/src/test/resources/golden"


# -- golden images --------------------------------------------------------------------------


def _ramp16(height: int, width: int, channels: int, seed: int) -> np.ndarray:
    """Smooth 16-bit values with fine noise, so the low byte matters: ``(H, W, C)`` uint16."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack(
        [np.sin(x / (9 + 4 * c) + c) * np.cos(y / (13 + 2 * c)) for c in range(channels)], -1
    )
    values = 32767.5 * (base + 1.0) + rng.normal(0, 300, size=(height, width, channels))
    return np.clip(np.round(values), 0, 65535).astype(np.uint16)


def write_png16(path: Path, pixels: np.ndarray) -> None:
    """Write a 16-bit gray ``(H, W)`` or RGB ``(H, W, 3)`` PNG (Pillow writes no 16-bit RGB)."""
    height, width = pixels.shape[:2]
    color_type = 0 if pixels.ndim == 2 else 2
    rows = pixels.astype(">u2").reshape(height, -1).view(np.uint8)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _rgb(width: int, height: int, seed: int) -> Callable[[Path], None]:
    return lambda path: Image.fromarray(random_photo(height, width, seed)).save(path)


def _gray8(path: Path) -> None:
    photo = random_photo(400, 230, seed=4).astype(np.float32)
    gray = np.round(photo @ np.array([0.299, 0.587, 0.114], np.float32))
    Image.fromarray(gray.clip(0, 255).astype(np.uint8), "L").save(path)


def _gray16(path: Path) -> None:
    write_png16(path, _ramp16(230, 260, 1, seed=5)[..., 0])


def _rgba(path: Path) -> None:
    height, width = 300, 240
    y, x = np.mgrid[0:height, 0:width]
    alpha = (255 * (0.5 + 0.5 * np.sin(x / 17.0) * np.cos(y / 23.0))).round().astype(np.uint8)
    alpha[:40, :40] = 0  # fully transparent corner
    pixels = np.concatenate([random_photo(height, width, seed=6), alpha[..., None]], axis=-1)
    Image.fromarray(pixels, "RGBA").save(path)


def _rgb16(path: Path) -> None:
    write_png16(path, _ramp16(240, 256, 3, seed=7))


def _palette(path: Path) -> None:
    height, width = 260, 200
    levels = np.arange(64)
    palette = np.stack([(levels * 4) % 256, (levels * 37) % 256, 255 - levels * 4], -1)
    photo = random_photo(height, width, seed=8).astype(np.int64)
    indices = ((photo[..., 0] // 64) * 16 + (photo[..., 1] // 64) * 4 + photo[..., 2] // 64) % 64
    image = Image.fromarray(indices.astype(np.uint8), "P")
    image.putpalette(palette.astype(np.uint8).ravel().tolist())
    image.save(path)


def _edges_noise(width: int, height: int, seed: int) -> Callable[[Path], None]:
    """Sharp edges (0/255 bars and checks) beside full-range uniform noise, 8-bit RGB.

    Bicubic overshoots at such edges and on such noise, so the 8-bit clipping between
    Pillow's two passes changes pixels, and the order of the passes shows.
    """

    def draw(path: Path) -> None:
        rng = np.random.default_rng(seed)
        y, x = np.mgrid[0:height, 0:width]
        edges = (
            np.stack([(x // 5 + y // 7) % 2, (x // 3) % 2, (y // 4) % 2], axis=-1).astype(np.uint8)
            * 255
        )
        noise = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
        tiles = ((x // 40 + y // 40) % 2 == 0)[..., None]
        Image.fromarray(np.where(tiles, edges, noise), "RGB").save(path)

    return draw


#: Golden image files (named kind_WIDTHxHEIGHT) and how each is drawn.
GOLDEN_IMAGES: dict[str, Callable[[Path], None]] = {
    "rgb_150x100.png": _rgb(150, 100, seed=1),
    "rgb_300x250.png": _rgb(300, 250, seed=2),
    "rgb_512x384.png": _rgb(512, 384, seed=3),
    "gray8_230x400.png": _gray8,
    "gray16_260x230.png": _gray16,
    "rgba_240x300.png": _rgba,
    "rgb16_256x240.png": _rgb16,
    "palette_200x260.png": _palette,
    "edges_200x300.png": _edges_noise(200, 300, seed=9),
    "edges_300x200.png": _edges_noise(300, 200, seed=10),
}


# -- cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One golden case: an image and the options it is scored with."""

    image: str
    pre_resize: tuple[int, int] | None = None
    max_side: int | None = None
    method: Method = "maclip"
    params: FusionParams = FusionParams()

    def options(self) -> dict[str, Any]:
        return {
            "pre_resize": None if self.pre_resize is None else list(self.pre_resize),
            "max_side": self.max_side,
            "method": self.method,
            "lam": self.params.lam,
            "alpha": self.params.alpha,
            "b_sim": self.params.b_sim,
            "b_mag": self.params.b_mag,
        }

    def views(self) -> ViewConfig:
        return ViewConfig(pre_resize=self.pre_resize, max_side=self.max_side)


#: Pre-resize targets ``(height, width)`` of the portrait and the landscape edge image: each
#: axis enlarged or reduced, and both reduced with either of Pillow's pass orders (since
#: Pillow 13 the vertical pass comes first when the height shrinks by more than twice as many
#: pixels as the width), besides the paper's 448x448 and 224x224.
PRE_RESIZES: dict[str, tuple[tuple[int, int], ...]] = {
    "edges_200x300.png": (
        (352, 256),
        (160, 240),
        (360, 150),
        (180, 150),
        (260, 120),
        (448, 448),
        (224, 224),
    ),
    "edges_300x200.png": ((256, 352), (150, 360), (240, 160), (150, 180), (110, 260), (224, 224)),
}

#: Every image with the defaults, then the option and method variants.
CASES: tuple[Case, ...] = (
    *(Case(name) for name in GOLDEN_IMAGES),
    Case("rgb_512x384.png", pre_resize=(448, 448)),
    Case("rgb_512x384.png", max_side=300),
    Case("rgb_300x250.png", pre_resize=(224, 224)),
    Case("rgb_300x250.png", method="clipiqa"),
    Case("rgb_512x384.png", method="magnitude"),
    Case("rgb_300x250.png", params=FusionParams(lam=0.0, alpha=2.0)),
    *(Case(name, pre_resize=size) for name, sizes in PRE_RESIZES.items() for size in sizes),
)

#: Pre-resized pixels written to ``preresized/`` for the Java pre-resize test: every pre-resize
#: case's.
PRERESIZED_CASES = tuple((c.image, c.pre_resize) for c in CASES if c.pre_resize is not None)


def _score_case(model: TinyModel, images: Path, case: Case) -> dict[str, Any]:
    scorer = model.scorer(
        method=case.method,
        lam=case.params.lam,
        alpha=case.params.alpha,
        b_sim=case.params.b_sim,
        b_mag=case.params.b_mag,
        views=case.views(),
        workers=0,
    )
    (item,) = scorer.iter_features([images / case.image])
    if isinstance(item, ImageError):
        raise item
    result = scorer.result_from_features(item)
    result.key = case.image
    return {
        "image": case.image,
        "options": case.options(),
        "result": result.to_dict(include_views=True),
        "global_view_embedding": item.features[-1].tolist(),
    }


def _write_preresized(images: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, (height, width) in PRERESIZED_CASES:
        pixels = pre_resize_8bit(load_image(images / name), (height, width))
        array = (pixels * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
        Image.fromarray(array, "RGB").save(out / f"{Path(name).stem}_{height}x{width}.png")


def _readme() -> str:
    lines = [
        "# Golden files of the Java tests (generated: do not edit)",
        "",
        "Written by the PyTorch reference (`maclip-pytorch golden`); regenerate with:",
        "",
        "```",
        f"cd maclip-pytorch && {COMMAND}",
        "```",
        "",
        "and check them (CI does, through `maclip-pytorch/tests/test_golden.py`) with",
        "`--check` added: it regenerates into a temporary folder and names what drifted.",
        "",
        "- `tinyrn/`, `tinyvit/`: model bundles (`docs/bundle.md`) of two tiny open_clip",
        "  models, a ResNet and a ViT, with seeded random weights (`maclip.tiny`, seed 0).",
        "  Their scores mean nothing; they exist to pin the maths and the views.",
        "- `tinyrn-int8/`: `tinyrn` exported with `--int8` (its fidelity limits loosened",
        "  for a tiny random model): Java must load and score an int8 bundle unchanged.",
        "- each bundle's `selfcheck.f32`: its self-check views (`maclip.selfcheck`), whose",
        "  expected embeddings and Q are in its manifest's `self_check`.",
        f"- `{INT8_GOLDEN}`: `{{bundle, cases: [{{image, q, views: [{{crc32, q, q_sim,",
        "  q_mag}]}]}`: the int8 bundle's ONNX Runtime scores of the reference's views of",
        "  every golden image (default options), each view with the crc32 of its float32",
        "  bytes. Java's int8 scores must match where its views are the same bytes.",
        "- `images/`: the golden images, named `kind_WIDTHxHEIGHT.png`: 8-bit RGB (under",
        "  224, not multiples of 128, 512x384), 8- and 16-bit grayscale, RGBA with varying",
        "  alpha, 16-bit RGB, a palette image, and a portrait and a landscape image of sharp",
        "  edges beside full-range noise (`edges_*`), pre-resized with each axis enlarged or",
        "  reduced and with either of Pillow's pass orders.",
        "- `<bundle>.golden.json`: `{bundle, cases: [{image, options, result,",
        "  global_view_embedding}]}`. `options` holds `pre_resize` ([height, width] or null),",
        "  `max_side`, `method`, `lam`, `alpha`, `b_sim`, `b_mag`; `result` is the",
        "  reference's `ImageResult.to_dict(include_views=True)` (q, q_sim, q_mag, w_sim,",
        "  w_mag, pair_probs, views, height/width, prepared size and `view_scores`, each",
        "  view with its box); `global_view_embedding` is the last view's unnormalised",
        "  embedding. Scores come from the torch scorer, not from ONNX.",
        "- `preresized/`: the reference's pre-resized 8-bit pixels (PIL bicubic on 8-bit",
        "  RGB) of every pre-resize case, `NAME_HEIGHTxWIDTH.png`; Java must equal them.",
        "",
    ]
    return "\n".join(lines)


def _view_crc32(view: torch.Tensor) -> str:
    """crc32 of a view's bytes as the encoder receives them (float32, little-endian)."""
    return f"{zlib.crc32(view.numpy().astype('<f4').tobytes()):08x}"


def int8_golden(bundle: Path, images: Path) -> dict[str, Any]:
    """The int8 bundle's scores of every golden image (default options), view by view.

    The views are the reference's; each carries the crc32 of its bytes, so that Java compares
    its own int8 scores tightly where its views are the same bytes, and knows where they are
    not: a view that differs by 1e-7 may round an int8 activation the other way.
    """
    onnx = OnnxBundle.load(bundle)
    preparer, patch = onnx.preparer(), onnx.manifest["view"]["patch_size"]
    cases = []
    for name in GOLDEN_IMAGES:
        item = preparer(images / name)
        if isinstance(item, Failed):
            raise item.error()
        views = cut_views(item.image, item.boxes, patch)
        scores = onnx.score_views(views)
        cases.append(
            {
                "image": name,
                "q": float(scores.q.mean()),
                "views": [
                    {
                        "crc32": _view_crc32(view),
                        "q": float(scores.q[i]),
                        "q_sim": float(scores.q_sim[i]),
                        "q_mag": float(scores.q_mag[i]),
                    }
                    for i, view in enumerate(views)
                ],
            }
        )
    return {"bundle": bundle.name, "cases": cases}


def write_golden(out: str | Path) -> None:
    """Write the tiny bundles, golden images, golden results and pre-resized pixels to ``out``."""
    root = Path(out)
    images = root / IMAGES
    images.mkdir(parents=True, exist_ok=True)
    for name, draw in GOLDEN_IMAGES.items():
        draw(images / name)
    _write_preresized(images, root / PRERESIZED)
    with tempfile.TemporaryDirectory(prefix="maclip-tiny-") as tmp:
        for bundle, name in BUNDLES.items():
            model = build_tiny_model(name, Path(tmp), seed=0)
            backbone = load_backbone(
                name, checkpoint=model.checkpoint, model_config=model.config, device="cpu"
            )
            export_bundle(backbone, root / bundle, pretrained="random")
            if bundle == INT8_BUNDLE[1]:
                export_bundle(
                    backbone,
                    root / INT8_BUNDLE[0],
                    pretrained="random",
                    precision="int8",
                    int8_limits=TINY_INT8_LIMITS,
                )
                int8 = int8_golden(root / INT8_BUNDLE[0], images)
                (root / INT8_GOLDEN).write_text(json.dumps(int8, indent=1) + "\n")
            cases = [_score_case(model, images, case) for case in CASES]
            record = {"bundle": bundle, "cases": cases}
            (root / f"{bundle}.golden.json").write_text(json.dumps(record, indent=1) + "\n")
    (root / README).write_text(_readme())


# -- check ----------------------------------------------------------------------------------


def _close(a: float, b: float, tolerance: float = TOLERANCE) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a))


def diff_json(expected: Any, actual: Any, where: str = "") -> Iterator[str]:
    """Where two JSON values differ: numbers beyond :data:`TOLERANCE` (embeddings beyond
    :data:`EMBEDDING_TOLERANCE`), anything else at all."""
    numbers = (int, float)
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None:
        if expected != actual:
            yield f"{where or '.'}: {expected!r} != {actual!r}"
    elif isinstance(expected, numbers) and isinstance(actual, numbers):
        tolerance = EMBEDDING_TOLERANCE if "embedding" in where else TOLERANCE
        if not _close(float(expected), float(actual), tolerance):
            yield f"{where}: {expected!r} != {actual!r}"
    elif isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in expected or key not in actual:
                yield f"{where}.{key}: only in {'committed' if key in expected else 'regenerated'}"
            else:
                yield from diff_json(expected[key], actual[key], f"{where}.{key}")
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            yield f"{where}: {len(expected)} items != {len(actual)}"
        else:
            for i, (a, b) in enumerate(zip(expected, actual, strict=True)):
                yield from diff_json(a, b, f"{where}[{i}]")
    elif expected != actual:
        yield f"{where or '.'}: {expected!r} != {actual!r}"


def diff_int8(expected: dict[str, Any], actual: dict[str, Any]) -> Iterator[str]:
    """Where two int8 golden records differ, view by view, on the views whose bytes are the same
    (their crc32): torch may cut a view a bit differently on another CPU class, and an int8
    model may round such a view's activations the other way."""
    if [c["image"] for c in expected["cases"]] != [c["image"] for c in actual["cases"]]:
        yield ": not the same images"
        return
    for i, (a, b) in enumerate(zip(expected["cases"], actual["cases"], strict=True)):
        if len(a["views"]) != len(b["views"]):
            yield f".cases[{i}].views: {len(a['views'])} items != {len(b['views'])}"
            continue
        pairs = list(zip(a["views"], b["views"], strict=True))
        same = [j for j, (u, v) in enumerate(pairs) if u["crc32"] == v["crc32"]]
        for j in same:
            yield from diff_json(*pairs[j], f".cases[{i}].views[{j}]")
        if len(same) == len(pairs):
            yield from diff_json(a["q"], b["q"], f".cases[{i}].q")


def _manifest(folder: Path) -> dict[str, Any]:
    record = json.loads((folder / MANIFEST).read_text())
    for name in UNCHECKED_MANIFEST:
        record.pop(name, None)
    for sum_name in ("sha256", "crc32"):  # of ONNX bytes, which differ between torch builds
        record.get("onnx", {}).pop(sum_name, None)
    return dict(record)


def _golden_views(images: Path, mean: torch.Tensor, std: torch.Tensor) -> torch.Tensor:
    """The default-option views of every golden image, CLIP-normalised."""
    config = ViewConfig()
    preparer = Preparer(config, DEFAULT_MAX_PIXELS, mean, std)  # the scorer's own preparation
    views = []
    for name in GOLDEN_IMAGES:
        item = preparer(images / name)
        if isinstance(item, Failed):
            raise item.error()
        views.append(cut_views(item.image, item.boxes, config.patch_size))
    return torch.cat(views)


def _pixels_differ(a: Path, b: Path) -> str | None:
    with Image.open(a) as first, Image.open(b) as second:
        if (first.mode, first.size) != (second.mode, second.size):
            return f"{first.mode} {first.size} != {second.mode} {second.size}"
        if not np.array_equal(np.asarray(first), np.asarray(second)):
            return "pixels differ"
    return None


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def compare_golden(committed: Path, fresh: Path) -> list[str]:
    """What differs between a committed golden folder and a freshly generated one."""
    drift = [f"{name}: only in the committed folder" for name in _files(committed) - _files(fresh)]
    drift += [
        f"{name}: missing from the committed folder" for name in _files(fresh) - _files(committed)
    ]
    if drift:
        return sorted(drift)
    for name in sorted(_files(fresh)):
        if name.endswith(".png"):
            reason = _pixels_differ(committed / name, fresh / name)
            if reason:
                drift.append(f"{name}: {reason}")
        elif name == INT8_GOLDEN:  # pins the committed int8 model, whatever a fresh one rounds
            pinned = int8_golden(committed / INT8_BUNDLE[0], fresh / IMAGES)
            drift += [
                f"{name}{d}" for d in diff_int8(json.loads((committed / name).read_text()), pinned)
            ]
        elif name.endswith(SELF_CHECK_FILE):
            a, b = (np.fromfile(d / name, dtype="<f4") for d in (committed, fresh))
            if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=TOLERANCE):
                drift.append(f"{name}: the self-check's views differ")
        elif name.endswith(".golden.json"):
            expected, actual = (json.loads((d / name).read_text()) for d in (committed, fresh))
            drift += [f"{name}{d}" for d in diff_json(expected, actual)]
        elif name == README and (committed / name).read_text() != (fresh / name).read_text():
            drift.append(f"{name}: text differs")
    for bundle in [*BUNDLES, INT8_BUNDLE[0]]:
        tolerance = INT8_TOLERANCE if bundle == INT8_BUNDLE[0] else EMBEDDING_TOLERANCE
        manifest = _manifest(fresh / bundle)
        drift += [
            f"{bundle}/{MANIFEST}{d}" for d in diff_json(_manifest(committed / bundle), manifest)
        ]
        norm = manifest["normalisation"]
        views = _golden_views(fresh / IMAGES, torch.tensor(norm["mean"]), torch.tensor(norm["std"]))
        expected = OnnxEncoder(committed / bundle / ONNX_FILE)(views)
        actual = OnnxEncoder(fresh / bundle / ONNX_FILE)(views)
        scale = max(1.0, float(expected.abs().max()))
        worst = float((expected - actual).abs().max()) / scale
        if not worst <= tolerance or math.isnan(worst):
            drift.append(
                f"{bundle}/{ONNX_FILE}: embeddings of the golden views differ by {worst:.3g} "
                f"(relative), past {tolerance:g}"
            )
    return drift


def check_golden(committed: str | Path) -> list[str]:
    """Regenerate the golden files into a temporary folder and compare with ``committed``."""
    folder = Path(committed)
    if not folder.is_dir():
        return [f"{folder}: no such folder"]
    with tempfile.TemporaryDirectory(prefix="maclip-golden-") as tmp:
        write_golden(tmp)
        return compare_golden(folder, Path(tmp))
