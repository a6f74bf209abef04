"""A bundle's self-check: a few views as the exact tensors its encoder receives, and what
ONNX Runtime computed for them where the bundle was exported.

The Java scorer runs them when it opens a bundle and refuses a model whose embeddings or
``Q`` differ on the machine at hand by more than the bundle's tolerance (another CPU whose
kernels compute differently, a broken ONNX Runtime). The views are stored, not described,
so that decoding and cutting cannot differ between the exporter and the checker: a view
that differs by 1e-7 can round an int8 activation the other way (``docs/bundle.md``).

The file ``selfcheck.f32`` holds the views ``[N, 3, P, P]`` as little-endian float32, and the
manifest's ``self_check`` entry its name, shape and crc32, the embeddings and per-view ``Q``
(the bundle's default method and parameters), the tolerance and the machine that made them.
"""

from __future__ import annotations

import platform
import zlib
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .quality import FusionParams, Method, score_views
from .quantize import photo_views
from .views import ViewConfig

SELF_CHECK_FILE = "selfcheck.f32"
#: The packaged held-out photograph whose views make the check (never calibrated on).
SELF_CHECK_PHOTO = "chelsea.jpg"
#: Views kept: the first patch and the whole image resized (the global view).
SELF_CHECK_VIEWS = (0, -1)
#: Largest difference the checker accepts: an embedding's, relative to max(1, its largest
#: |value|), and a view's Q. Other x86-64 CPUs and arm64 compute fp32 within 1e-6 of each
#: other and saturation-free int8 identically (docs/bundle.md), so this refuses only a model
#: that really computes differently (int8 saturating on a CPU without VNNI: 1e-2 and more).
TOLERANCE = {"embedding": 1e-4, "q": 1e-5}


def check_views(normalise: Any, config: ViewConfig) -> torch.Tensor:
    """The self-check's views ``(N, 3, P, P)`` of the packaged photograph, normalised."""
    views = next(photo_views([SELF_CHECK_PHOTO], normalise, config))  # undistorted
    return views[list(SELF_CHECK_VIEWS)].contiguous()


def machine() -> dict[str, str]:
    """What computed the expected values: CPU architecture and flags that pick int8 kernels."""
    import onnxruntime

    return {
        "arch": platform.machine(),
        "cpu": _cpu_line(),
        "onnxruntime": onnxruntime.__version__,
    }


def _cpu_line() -> str:
    """The CPU's model name and the flags that choose ONNX Runtime's int8 kernels (Linux)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    name, flags = "unknown", set[str]()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Model") and name == "unknown":
            name = value.strip()
        elif key.strip() in ("flags", "Features") and not flags:
            flags = set(value.split())
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8", "asimddp", "i8mm")
    return f"{name} ({' '.join(f for f in wanted if f in flags) or 'none of ' + wanted[0]})"


def write_self_check(
    folder: Path,
    encode: Any,
    normalise: Any,
    text_features: torch.Tensor,
    logit_scale: float,
    method: Method,
    params: FusionParams,
    config: ViewConfig,
) -> dict[str, Any]:
    """Write ``folder/selfcheck.f32`` and return the manifest's ``self_check`` entry.

    ``encode`` maps views to embeddings with the bundle's own ``visual.onnx`` (ONNX Runtime).
    """
    views = check_views(normalise, config)
    data = views.numpy().astype("<f4").tobytes()
    (folder / SELF_CHECK_FILE).write_bytes(data)
    embeddings = encode(views)
    scores = score_views(embeddings, text_features, logit_scale, method, params)
    return {
        "file": SELF_CHECK_FILE,
        "crc32": f"{zlib.crc32(data):08x}",
        "shape": list(views.shape),
        "source": f"{SELF_CHECK_PHOTO}, views {list(SELF_CHECK_VIEWS)}",
        "embeddings": embeddings.tolist(),
        "q": scores.q.tolist(),
        "scored_with": {"method": method, **asdict(params)},
        "tolerance": dict(TOLERANCE),
        "computed_on": machine(),
    }


def read_views(folder: Path, record: dict[str, Any]) -> np.ndarray:
    """The stored views of a bundle folder's self-check, ``(N, 3, P, P)`` float32."""
    data = (folder / record["file"]).read_bytes()
    return np.frombuffer(data, dtype="<f4").reshape(record["shape"])
