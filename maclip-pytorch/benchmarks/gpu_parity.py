"""CPU-vs-GPU score parity of the maclip engine on a full-size RN50 (random weights).

Scores the same generated images on the CPU in fp32 (the reference) and on the GPU in
fp32 and with autocast (``precision="auto"``: bf16, or fp16 where bf16 is missing),
prints the largest score differences and fails (exit 1) past the stated tolerances:
1e-4 in fp32, 0.02 with autocast.

    python benchmarks/gpu_parity.py --images 6
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
from pathlib import Path

import torch
from throughput import make_images

from maclip import Scorer
from maclip.backbone import Backbone, load_backbone, resolve_precision

TOLERANCE = {"fp32": 1e-4, "auto": 0.02}


def on_device(backbone: Backbone, device: torch.device, precision: str) -> Backbone:
    """A copy of ``backbone`` on ``device`` computing in ``precision``."""
    moved = copy.deepcopy(backbone)
    moved.model.to(device)
    moved.device = device
    moved.dtype = resolve_precision(precision, device)
    moved._text_cache.clear()
    return moved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cuda", help="the GPU (default: cuda)")
    parser.add_argument("--images", type=int, default=6, help="1024x768 images (default: 6)")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    cpu = load_backbone("RN50", "random", device="cpu")
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_images(Path(tmp), args.images, 2)
        reference = [r.q for r in Scorer(copy.deepcopy(cpu)).score(paths)]
        failed = False
        for precision, tolerance in TOLERANCE.items():
            scorer = Scorer(on_device(cpu, device, precision))
            scores = [r.q for r in scorer.score(paths)]
            diff = max(abs(a - b) for a, b in zip(scores, reference, strict=True))
            ok = diff <= tolerance
            failed |= not ok
            print(
                f"{device} {str(scorer.backbone.dtype)[6:]:>8} vs cpu fp32: max |dQ| = {diff:.2e} "
                f"over {len(paths)} images (tolerance {tolerance:g}) {'ok' if ok else 'FAILED'}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
