"""Int8 bundles: static QDQ quantisation of ``visual.onnx`` and its measured fidelity.

:func:`quantize_onnx` runs ONNX Runtime's own tools: ``quant_pre_process`` (shape
inference and graph optimisation), then ``quantize_static`` in the QDQ format, per-channel
weights (signed, in a 7-bit range: ``reduce_range``) and unsigned 8-bit activations,
calibrated (min/max) on the views of photographs that ship with this package
(``maclip/calibration``, licences in its ``LICENSES.md``), each also blurred, noised and
JPEG-compressed at several strengths so the activations' ranges cover good and bad images alike.

Weights use 7 of their 8 bits so that no CPU saturates: on x86-64 without VNNI, ONNX
Runtime multiplies u8 activations by s8 weights with an instruction that adds pairs of
products into 16 bits, and two products of 255 by 127 overflow it; with weights in
[-64, 64] no pair can (2 x 255 x 64 < 32767), so the integer arithmetic is exact, and the
same, on every CPU, at the full int8 speed (``docs/bundle.md`` has the measurements).

:func:`measure_fidelity` then runs the fp32 and the int8 graph on *other* photographs
(held out from the calibration, distorted the same ways) and reports the smallest cosine
of any view's int8 embedding with its fp32 one, the largest difference of any image's
``Q`` and the Spearman correlation of the images' ``Q``. :class:`Thresholds` holds the
limits past which the exporter refuses the bundle (see ``docs/bundle.md``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageFilter

from .eval.metrics import srcc
from .images import load_image
from .quality import FusionParams, Method, score_views
from .views import ViewConfig, cut_views, prepare, view_boxes

#: Photographs whose views calibrate the activations' ranges.
CALIBRATION_IMAGES = ("astronaut.jpg", "coffee.jpg", "rocket.jpg", "brick.jpg")
#: Photographs the int8 graph is measured on against fp32 (never calibrated on).
HELD_OUT_IMAGES = ("chelsea.jpg", "camera.jpg", "hubble_deep_field.jpg", "retina.jpg")
#: Each photograph as it is and distorted: (kind, strength). Blur: Gaussian sigma in pixels;
#: noise: Gaussian sigma in [0, 1] pixel units (seeded); jpeg: the quality setting.
DISTORTIONS: tuple[tuple[str, float], ...] = (
    ("none", 0),
    ("blur", 1.5),
    ("blur", 4),
    ("noise", 0.04),
    ("noise", 0.15),
    ("jpeg", 30),
    ("jpeg", 5),
)
QUANTIZATION = {
    "tool": "onnxruntime.quantization (quant_pre_process, quantize_static)",
    "format": "QDQ",
    "per_channel": True,
    "activations": "QUInt8",
    "weights": "QInt8",
    "reduce_range": True,
    "calibrate_method": "MinMax",
}


@dataclass(frozen=True)
class Thresholds:
    """Limits of an int8 bundle against its fp32 graph on the held-out images.

    The defaults leave room over what RN50 measured with seeded random weights (cosine
    0.99989, |ΔQ| 0.0031, Spearman 0.94 over scores that differ by thousandths; see
    ``docs/bundle.md``) while refusing a quantisation that visibly moves scores.
    """

    min_view_cosine: float = 0.999
    max_abs_q_diff: float = 0.01
    min_q_spearman: float = 0.9


@dataclass(frozen=True)
class Fidelity:
    """Int8 against fp32 on the held-out images (all distortions).

    Attributes:
        min_view_cosine: Smallest cosine of a view's int8 embedding with its fp32 one.
        max_abs_q_diff: Largest ``|Q_int8 - Q_fp32|`` of an image (mean of its views).
        q_spearman: Spearman correlation of the images' ``Q`` (int8 against fp32).
        images: Held-out images measured (each photograph times each distortion).
        views: Views measured.
    """

    min_view_cosine: float
    max_abs_q_diff: float
    q_spearman: float
    images: int
    views: int

    def failures(self, limits: Thresholds) -> list[str]:
        """What is past ``limits`` (NaN always is), as readable phrases."""
        out = []
        if not self.min_view_cosine >= limits.min_view_cosine:
            out.append(f"view cosine {self.min_view_cosine:.6f} < {limits.min_view_cosine}")
        if not self.max_abs_q_diff <= limits.max_abs_q_diff:
            out.append(f"|ΔQ| {self.max_abs_q_diff:.4g} > {limits.max_abs_q_diff}")
        if not self.q_spearman >= limits.min_q_spearman:
            out.append(f"Spearman of Q {self.q_spearman:.4f} < {limits.min_q_spearman}")
        return out


def _photo(name: str) -> Image.Image:
    with resources.files("maclip").joinpath("calibration", name).open("rb") as stream:
        return Image.open(io.BytesIO(stream.read())).convert("RGB")


def distort(image: Image.Image, kind: str, strength: float, seed: int = 0) -> Image.Image:
    """``image`` blurred, noised or JPEG-compressed (``none``: unchanged)."""
    if kind == "none":
        return image
    if kind == "blur":
        return image.filter(ImageFilter.GaussianBlur(strength))
    if kind == "noise":
        pixels = np.asarray(image, dtype=np.float32) / 255
        noise = np.random.default_rng(seed).normal(0, strength, pixels.shape)
        return Image.fromarray(np.uint8(np.clip(pixels + noise, 0, 1) * 255 + 0.5))
    if kind == "jpeg":
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=int(strength))
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    raise ValueError(f"unknown distortion {kind!r}")


def photo_views(
    names: Sequence[str], normalise: Any, config: ViewConfig | None = None
) -> Iterator[torch.Tensor]:
    """The normalised views ``(n, 3, P, P)`` of each photograph under each distortion."""
    config = config or ViewConfig()
    for index, name in enumerate(names):
        photo = _photo(name)
        for kind, strength in DISTORTIONS:
            image = prepare(load_image(distort(photo, kind, strength, seed=index)), config)
            boxes = view_boxes(image.shape[-2], image.shape[-1], config)
            yield cut_views(normalise(image), boxes, config.patch_size)


def calibration_record(views: int) -> dict[str, Any]:
    """The manifest's ``quantization`` entry."""
    return {
        **QUANTIZATION,
        "calibration": {
            "images": list(CALIBRATION_IMAGES),
            "distortions": [[kind, strength] for kind, strength in DISTORTIONS],
            "views": views,
        },
    }


def quantize_onnx(
    source: Path, target: Path, normalise: Any, input_name: str, work: Path
) -> dict[str, Any]:
    """Write the int8 QDQ form of ``source`` to ``target``; returns the manifest record.

    ``normalise`` maps ``(3, H, W)`` pixels in [0, 1] to the model's normalised input;
    ``work`` is a folder for the pre-processed graph.
    """
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        """The calibration views, one photograph's distorted version per batch."""

        def __init__(self, batches: list[np.ndarray]) -> None:
            self._feeds = iter([{input_name: batch} for batch in batches])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._feeds, None)

    batches = [v.numpy() for v in photo_views(CALIBRATION_IMAGES, normalise)]
    prepared = work / "visual.pre.onnx"
    try:
        quant_pre_process(str(source), str(prepared))
    except AssertionError:  # symbolic shape inference fails on some ViT reshapes
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
    quantize_static(
        str(prepared),
        str(target),
        Reader(batches),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        reduce_range=bool(QUANTIZATION["reduce_range"]),
        calibrate_method=CalibrationMethod.MinMax,
    )
    prepared.unlink()
    return calibration_record(sum(len(b) for b in batches))


def measure_fidelity(
    fp32: Any,
    int8: Any,
    normalise: Any,
    text_features: torch.Tensor,
    logit_scale: float,
    method: Method,
    params: FusionParams,
) -> Fidelity:
    """Int8 against fp32 on the held-out photographs; ``fp32``/``int8`` map views to embeddings."""
    cosines, q32, q8 = [], [], []
    for views in photo_views(HELD_OUT_IMAGES, normalise):
        a, b = fp32(views), int8(views)
        cosines.append(torch.nn.functional.cosine_similarity(a, b, dim=1))
        q32.append(float(score_views(a, text_features, logit_scale, method, params).q.mean()))
        q8.append(float(score_views(b, text_features, logit_scale, method, params).q.mean()))
    all_cosines = torch.cat(cosines)
    q32_array, q8_array = np.array(q32), np.array(q8)
    return Fidelity(
        min_view_cosine=float(all_cosines.min()),
        max_abs_q_diff=float(np.abs(q8_array - q32_array).max()),
        q_spearman=srcc(q32_array, q8_array),
        images=len(q32),
        views=len(all_cosines),
    )


def fidelity_record(fidelity: Fidelity, limits: Thresholds) -> dict[str, Any]:
    """The manifest's ``int8_check`` entry."""
    return {
        "held_out_images": list(HELD_OUT_IMAGES),
        **asdict(fidelity),
        "thresholds": asdict(limits),
    }
