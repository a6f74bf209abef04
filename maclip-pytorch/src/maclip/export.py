"""Exporting a model bundle: the reference's encoder as ONNX plus everything else as JSON.

A bundle (see ``docs/bundle.md``) is a folder, or one ``.zip`` file, holding:

* ``visual.onnx``: the visual tower exactly as :meth:`Backbone.encode_views` runs it
  (positional embedding dropped), input ``views`` ``[N, 3, P, P]`` with a dynamic ``N``,
  output ``embeddings`` ``[N, D]``, unnormalised; opset 17.
* ``maclip.json``: the prompt pairs with their text embeddings, the logit scale, the
  normalisation, the view settings, the default method and parameters, the ONNX file's
  sha256 and crc32, and the versions that made it.
* ``selfcheck.f32``: a few views as the exact tensors the encoder receives, whose expected
  embeddings and ``Q`` the manifest holds (:mod:`maclip.selfcheck`): where the bundle runs,
  the Java scorer checks that this machine computes them as the exporter's did.

:func:`export_bundle` writes them, then runs the ONNX file with ONNX Runtime against the
torch encoder (:func:`check_export`) and refuses the bundle (deleting what it wrote) when
embeddings or scores differ by more than the tolerance.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import open_clip
import torch

from . import __version__
from .backbone import Backbone
from .quality import DEFAULT_PROMPT_PAIRS, FusionParams, Method, ViewScores, score_views
from .quantize import Fidelity, Thresholds, fidelity_record, measure_fidelity, quantize_onnx
from .selfcheck import SELF_CHECK_FILE, write_self_check
from .views import ViewConfig

FORMAT = "maclip-bundle"
FORMAT_VERSION = 1
MANIFEST = "maclip.json"
ONNX_FILE = "visual.onnx"
OPSET = 17
#: The files of a bundle folder (or zip), as written.
BUNDLE_FILES = (ONNX_FILE, MANIFEST, SELF_CHECK_FILE)
INPUT_NAME, OUTPUT_NAME = "views", "embeddings"

#: Largest embedding or score difference between ONNX Runtime and torch a bundle may have.
TOLERANCE = 1e-4
#: Batch sizes of the export check (the graph is traced at 2, so these test the dynamic N).
CHECK_BATCHES = (1, 3)
#: The paper's λ, α and base logits, recorded as a bundle's defaults.
DEFAULT_PARAMS = FusionParams()
#: The precisions of ``visual.onnx`` a bundle can hold.
PRECISIONS = ("fp32", "int8")
#: The default limits of an int8 bundle against fp32.
INT8_LIMITS = Thresholds()


class ExportError(RuntimeError):
    """A bundle that cannot be written or that failed its check; the message says why."""


@dataclass(frozen=True)
class ExportCheck:
    """Largest differences between ONNX Runtime and the torch encoder on the check inputs.

    Attributes:
        max_abs_embedding_diff: Over every embedding value.
        max_abs_q_diff: Over every view's ``Q``, ``Q_sim`` and ``Q_mag``.
    """

    max_abs_embedding_diff: float
    max_abs_q_diff: float

    def passes(self, tolerance: float) -> bool:
        """Both differences within ``tolerance`` (NaN never passes)."""
        return self.max_abs_embedding_diff <= tolerance and self.max_abs_q_diff <= tolerance


class _VisualEncoder(torch.nn.Module):
    """The reference's visual forward as a module, so its weights become ONNX initialisers."""

    def __init__(self, backbone: Backbone) -> None:
        super().__init__()
        self.visual = backbone.visual
        self._backbone = backbone

    def forward(self, views: torch.Tensor) -> torch.Tensor:
        return self._backbone._visual_forward(views)


@contextlib.contextmanager
def _no_attention_fastpath() -> Iterator[None]:
    """Turn off PyTorch's fused attention fast path (not exportable), restoring it after."""
    enabled = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(enabled)


def _require_onnx() -> Any:
    """The ``onnxruntime`` module, or a clear error when the export extra is not installed."""
    try:
        import onnx  # noqa: F401 - checked here so that a missing package is one message
        import onnxruntime
    except ImportError as err:
        raise ExportError(
            "exporting needs onnx and onnxruntime: pip install 'maclip-pytorch[export]'"
        ) from err
    return onnxruntime


def _check_backbone(backbone: Backbone) -> None:
    if backbone.pos_embedding != "drop":
        raise ExportError("a bundle drops the positional embedding: load with pos_embedding='drop'")
    if backbone.device.type != "cpu" or backbone.dtype != torch.float32:
        raise ExportError("export a backbone loaded on the CPU in fp32")


def write_onnx(backbone: Backbone, path: Path, patch_size: int = 224) -> None:
    """Export the visual forward of ``backbone`` to ``path`` (TorchScript exporter, opset 17)."""
    _require_onnx()
    _check_backbone(backbone)
    import onnx

    encoder = _VisualEncoder(backbone).eval()
    example = torch.zeros(2, 3, patch_size, patch_size)
    with _no_attention_fastpath(), torch.no_grad(), warnings.catch_warnings():
        # shape checks traced as constants: every dimension but N is fixed, and the
        # export check runs batch sizes other than the traced one
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(
            encoder,
            (example,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    onnx.checker.check_model(str(path))


#: ONNX Runtime's session option that keeps int8 exact on x86-64 CPUs without VNNI: s8
#: weights become u8 at load and run on kernels that cannot saturate (other CPUs ignore it).
#: Bundles with 7-bit weights never need it; older int8 bundles with full 8-bit weights do.
INT8_PRECISION_OPTION = ("session.x64quantprecision", "1")


def session_options(threads: int = 0) -> Any:
    """ONNX Runtime session options of every session the reference opens on a bundle:
    ``threads`` intra-op threads (0: ONNX Runtime's choice), int8 never saturating."""
    options = _require_onnx().SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry(*INT8_PRECISION_OPTION)
    return options


class OnnxEncoder:
    """A bundle's ``visual.onnx`` run by ONNX Runtime on the CPU, int8 never saturating."""

    def __init__(self, path: str | Path, threads: int = 0) -> None:
        onnxruntime = _require_onnx()
        options = session_options(threads)
        self.session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, views: torch.Tensor) -> torch.Tensor:
        """Unnormalised embeddings ``(N, D)`` of normalised views ``(N, 3, P, P)``."""
        (out,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: views.detach().cpu().numpy()})
        return torch.from_numpy(np.asarray(out, dtype=np.float32))


@dataclass(frozen=True)
class Checksums:
    """A file's sums for the manifest: sha256 names the model (results carry it); crc32 is what
    the Java loader verifies (as sure against a damaged file, and 30 times faster to check)."""

    sha256: str
    crc32: str

    @staticmethod
    def of(path: Path) -> Checksums:
        digest, crc = hashlib.sha256(), 0
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
                crc = zlib.crc32(block, crc)
        return Checksums(digest.hexdigest(), f"{crc:08x}")


def check_inputs(backbone: Backbone, batches: Sequence[int], patch_size: int) -> list[torch.Tensor]:
    """Seeded random views (uniform pixels, CLIP-normalised), one batch per size."""
    generator = torch.Generator().manual_seed(0)
    return [
        backbone.normalise(torch.rand(n, 3, patch_size, patch_size, generator=generator))
        for n in batches
    ]


def _largest_diff(pairs: Sequence[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """Largest ``|a - b|`` over every pair of tensors; NaN when any value is NaN."""
    return float(torch.stack([(a - b).abs().max() for a, b in pairs]).max())


def _score_pairs(a: ViewScores, b: ViewScores) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(getattr(a, name), getattr(b, name)) for name in ("q", "q_sim", "q_mag")]


def check_export(
    backbone: Backbone,
    path: Path,
    text_features: torch.Tensor,
    method: Method = "maclip",
    params: FusionParams = DEFAULT_PARAMS,
    batches: Sequence[int] = CHECK_BATCHES,
    patch_size: int = 224,
) -> ExportCheck:
    """Largest differences between ``visual.onnx`` at ``path`` and the torch encoder."""
    embeddings, scores = [], []
    encoder = OnnxEncoder(path)
    for views in check_inputs(backbone, batches, patch_size):
        expected = backbone.encode_views(views).cpu()
        actual = encoder(views)
        if actual.shape != expected.shape:
            raise ExportError(
                f"ONNX output has shape {tuple(actual.shape)}, torch {tuple(expected.shape)}"
            )
        embeddings.append((actual, expected))
        scale = backbone.logit_scale
        scores += _score_pairs(
            score_views(actual, text_features, scale, method, params),
            score_views(expected, text_features, scale, method, params),
        )
    return ExportCheck(_largest_diff(embeddings), _largest_diff(scores))


def bundle_manifest(
    backbone: Backbone,
    pretrained: str,
    prompts: Sequence[tuple[str, str]],
    text_features: torch.Tensor,
    views: ViewConfig,
    method: Method,
    params: FusionParams,
    sums: Checksums,
    check: ExportCheck,
) -> dict[str, Any]:
    """The ``maclip.json`` record of a bundle (format version 1, see ``docs/bundle.md``)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "backbone": backbone.name,
        "pretrained": pretrained,
        "family": backbone.family,
        "embed_dim": backbone.embed_dim,
        "view": {
            "patch_size": views.patch_size,
            "stride": views.stride,
            "min_side": views.min_side,
            "include_global": views.include_global,
        },
        "normalisation": {"mean": backbone.mean.tolist(), "std": backbone.std.tolist()},
        "logit_scale": backbone.logit_scale,
        "prompts": [
            {
                "positive": positive,
                "negative": negative,
                "positive_embedding": text_features[i, 0].float().tolist(),
                "negative_embedding": text_features[i, 1].float().tolist(),
            }
            for i, (positive, negative) in enumerate(prompts)
        ],
        "defaults": {"method": method, **asdict(params)},
        "onnx": {
            "file": ONNX_FILE,
            "sha256": sums.sha256,
            "crc32": sums.crc32,
            "opset": OPSET,
            "input": INPUT_NAME,
            "output": OUTPUT_NAME,
        },
        "versions": {
            "torch": torch.__version__,
            "open_clip": open_clip.__version__,
            "maclip_pytorch": __version__,
        },
        "export_check": asdict(check),
    }


def pretrained_label(backbone: Backbone, checkpoint: str | Path | None) -> str:
    """The bundle's ``pretrained`` field: the tag, ``checkpoint:<file name>`` or ``random``."""
    if checkpoint is not None:
        return f"checkpoint:{Path(checkpoint).name}"
    return backbone.weights


@dataclass(frozen=True)
class Exported:
    """A written bundle: where it is, its manifest, its check and (int8) its fidelity."""

    path: Path
    manifest: dict[str, Any]
    check: ExportCheck
    fidelity: Fidelity | None = None


def _quantize(
    backbone: Backbone,
    folder: Path,
    text_features: torch.Tensor,
    method: Method,
    params: FusionParams,
    limits: Thresholds,
) -> tuple[dict[str, Any], Fidelity]:
    """Replace ``folder/visual.onnx`` by its int8 form; refuse it past ``limits``."""
    fp32_path = folder / "visual.fp32.onnx"
    (folder / ONNX_FILE).rename(fp32_path)
    try:
        record = quantize_onnx(
            fp32_path, folder / ONNX_FILE, backbone.normalise, INPUT_NAME, folder
        )
    except Exception as err:  # ONNX Runtime's tools raise many kinds; one message for the user
        raise ExportError(
            f"ONNX Runtime could not quantise the model ({type(err).__name__}: {err}); "
            "the bundle was not written"
        ) from err
    fidelity = measure_fidelity(
        OnnxEncoder(fp32_path),
        OnnxEncoder(folder / ONNX_FILE),
        backbone.normalise,
        text_features,
        backbone.logit_scale,
        method,
        params,
    )
    fp32_path.unlink()
    failures = fidelity.failures(limits)
    if failures:
        raise ExportError(
            "the int8 model is too far from fp32 on the held-out images ("
            + "; ".join(failures)
            + "); the bundle was not written"
        )
    manifest = {
        "precision": "int8",
        "quantization": record,
        "int8_check": fidelity_record(fidelity, limits),
    }
    return manifest, fidelity


def _write_folder(
    backbone: Backbone,
    folder: Path,
    pretrained: str,
    prompts: Sequence[tuple[str, str]],
    views: ViewConfig,
    method: Method,
    params: FusionParams,
    tolerance: float,
    precision: str,
    limits: Thresholds,
) -> Exported:
    _require_onnx()
    text_features = backbone.prompt_features(prompts).cpu()
    onnx_path = folder / ONNX_FILE
    write_onnx(backbone, onnx_path, views.patch_size)
    check = check_export(backbone, onnx_path, text_features, method, params, CHECK_BATCHES)
    if not check.passes(tolerance):
        raise ExportError(
            f"ONNX Runtime differs from torch by {check.max_abs_embedding_diff:.3g} "
            f"(embeddings) and {check.max_abs_q_diff:.3g} (scores), past the tolerance "
            f"{tolerance:g}; the bundle was not written"
        )
    extra: dict[str, Any] = {}
    fidelity = None
    if precision == "int8":
        extra, fidelity = _quantize(backbone, folder, text_features, method, params, limits)
    manifest = bundle_manifest(
        backbone,
        pretrained,
        prompts,
        text_features,
        views,
        method,
        params,
        Checksums.of(onnx_path),
        check,
    )
    manifest.update(extra)
    manifest["self_check"] = write_self_check(
        folder,
        OnnxEncoder(onnx_path),
        backbone.normalise,
        text_features,
        backbone.logit_scale,
        method,
        params,
        views,
    )
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return Exported(folder, manifest, check, fidelity)


def export_bundle(
    backbone: Backbone,
    out: str | Path,
    *,
    pretrained: str | None = None,
    prompts: Sequence[tuple[str, str]] = DEFAULT_PROMPT_PAIRS,
    views: ViewConfig | None = None,
    method: Method = "maclip",
    params: FusionParams = DEFAULT_PARAMS,
    as_zip: bool = False,
    tolerance: float = TOLERANCE,
    precision: str = "fp32",
    int8_limits: Thresholds = INT8_LIMITS,
) -> Exported:
    """Write the bundle of ``backbone`` to the folder ``out`` (or ``out.zip`` with ``as_zip``).

    Args:
        backbone: Loaded on the CPU, fp32, positional embedding dropped.
        out: The bundle folder; with ``as_zip`` the zip file (``.zip`` added if missing).
        pretrained: The manifest's ``pretrained`` field; default ``backbone.weights``.
        prompts: Antonym prompt pairs ``(positive, negative)``.
        views: View settings recorded in the manifest (default :class:`ViewConfig`).
        method, params: The defaults recorded in the manifest (and used by the check).
        as_zip: Write one zip file holding the bundle's files (:data:`BUNDLE_FILES`).
        tolerance: Largest embedding or score difference accepted by the check.
        precision: ``fp32``, or ``int8``: ``visual.onnx`` quantised (see :mod:`maclip.quantize`)
            and measured against fp32 on held-out images, refused past ``int8_limits``.

    Raises:
        ExportError: the export or its check failed; nothing is left behind.
    """
    _check_backbone(backbone)
    if precision not in PRECISIONS:
        raise ExportError(f"unknown precision {precision!r}; one of {', '.join(PRECISIONS)}")
    views = views or ViewConfig()
    if views.pre_resize is not None or views.max_side is not None:
        raise ExportError("a bundle records the default views (no pre-resize or max side)")
    prompts = tuple((str(p), str(n)) for p, n in prompts)
    if not prompts:
        raise ExportError("a bundle needs at least one prompt pair")
    label = pretrained or backbone.weights
    target = Path(out)
    if as_zip and target.suffix != ".zip":
        target = target.with_name(target.name + ".zip")
    if target.exists() and (as_zip == target.is_dir()):
        kind = "a folder" if target.is_dir() else "a file"
        raise ExportError(f"output {target} exists and is {kind}")
    with tempfile.TemporaryDirectory(prefix="maclip-export-") as tmp:
        staging = Path(tmp)
        exported = _write_folder(
            backbone,
            staging,
            label,
            prompts,
            views,
            method,
            params,
            tolerance,
            precision,
            int8_limits,
        )
        if as_zip:
            partial = staging / "bundle.zip"
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                for name in BUNDLE_FILES:
                    archive.write(staging / name, arcname=name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(partial, target)
        else:
            target.mkdir(parents=True, exist_ok=True)
            for name in BUNDLE_FILES:
                shutil.move(staging / name, target / name)
    return Exported(target, exported.manifest, exported.check, exported.fidelity)


def read_prompt_file(path: str | Path) -> tuple[tuple[str, str], ...]:
    """Prompt pairs from a text file: one ``positive | negative`` pair per line.

    Blank lines and lines starting with ``#`` are skipped.

    Raises:
        ExportError: a missing file, or a line that is not one pair.
    """
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ExportError(f"cannot read prompt file {file}: {err}") from err
    pairs = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = [part.strip() for part in text.split("|")]
        if len(parts) != 2 or not all(parts):
            raise ExportError(
                f"{file}:{number}: expected 'positive | negative', got {line.strip()!r}"
            )
        pairs.append((parts[0], parts[1]))
    if not pairs:
        raise ExportError(f"prompt file {file} holds no pairs")
    return tuple(pairs)
