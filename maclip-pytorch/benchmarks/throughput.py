"""Throughput of the maclip engine against a per-image loop written like the reference code.

Runs, side by side in one process and interleaved round by round, on the same
generated JPEGs (KonIQ-10k-sized 1024x768 and others):

* ``loop``: one image per call, the way pyiqa's MACLIP works: normalise, unfold
  224x224 patches with stride 128 plus the bilinear-resized whole image, encode the
  10 prompts again, one forward for that image's views, fp32, NCHW, no workers;
* ``maclip``: :class:`maclip.Scorer` with its automatic defaults (views of many
  images packed into full batches, decoding workers, channels_last, fp32);
* ablations: ``nchw`` (channels_last off), ``workers0``/``workers1`` (decode in
  the main process / in one worker process), ``bf16``/``amp`` (reduced-precision
  autocast, when the device has it), ``compile`` (``--compile``: torch.compile;
  its compile time shows in the first-call column).

It prints images/s per variant, the speed-up over the loop, the largest score
difference from the loop, and the visual encoder's achieved GFLOP/s against the
machine's peak measured in the same run (a large matmul and a large convolution).
Every variant uses the same full-size RN50 with random weights (speed does not
depend on the values; nothing is downloaded).

    python benchmarks/throughput.py                    # a few minutes on 2 idle CPU cores
    python benchmarks/throughput.py --koniq 16 --rounds 3 --variants loop maclip bf16
    python benchmarks/throughput.py --device cuda --koniq 64
"""

from __future__ import annotations

import argparse
import copy
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import open_clip
import torch
import torch.nn.functional as F
from PIL import Image
from synthetic_photos import photo
from torch.utils.flop_counter import FlopCounterMode

from maclip import Scorer
from maclip.backbone import Backbone, load_backbone, resolve_precision
from maclip.pipeline import default_workers
from maclip.quality import DEFAULT_PROMPT_PAIRS, FusionParams, score_views
from maclip.views import count_views

KONIQ = (768, 1024)
OTHERS = [(384, 512), (512, 384), (300, 400), (1080, 1440)]


def make_images(folder: Path, koniq: int, others: int) -> list[Path]:
    """``koniq`` 1024x768 JPEGs and ``others`` of other sizes, interleaved."""
    sizes = [KONIQ] * koniq + [OTHERS[i % len(OTHERS)] for i in range(others)]
    paths = []
    for seed, (h, w) in enumerate(sizes):
        path = folder / f"img{seed:04d}_{w}x{h}.jpg"
        Image.fromarray(photo(h, w, seed)).save(path, quality=90)
        paths.append(path)
    return paths


class ReferenceLoop:
    """Score one image per call like the paper's reference code (pyiqa MACLIP), in fp32.

    Per call: decode, CLIP-normalise, ``F.unfold`` 224x224 patches with stride 128,
    add the bilinear-resized whole image, tokenise and encode the prompts again, run
    this image's views in one forward, then softmax pairs / Box-Cox / fusion / mean
    (the maths from :mod:`maclip.quality`). Images must have a shorter side >= 224.
    """

    def __init__(self, backbone: Backbone, prompts: Sequence[tuple[str, str]]) -> None:
        self.backbone = backbone
        self.texts = [text for pair in prompts for text in pair]
        self.tokenizer = open_clip.get_tokenizer(backbone.name)

    @torch.no_grad()
    def __call__(self, path: Path) -> float:
        bb, device = self.backbone, self.backbone.device
        pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
        image = torch.from_numpy(pixels).permute(2, 0, 1)[None].to(device)
        x = (image - bb.mean.view(1, 3, 1, 1).to(device)) / bb.std.view(1, 3, 1, 1).to(device)
        patches = F.unfold(x, kernel_size=224, stride=128).view(3, 224, 224, -1)
        whole = F.interpolate(x, size=(224, 224), mode="bilinear", align_corners=False)
        views = torch.cat([patches.permute(3, 0, 1, 2), whole])
        text = bb.model.encode_text(self.tokenizer(self.texts).to(device))  # type: ignore[operator]
        text = F.normalize(text.float(), dim=-1).reshape(len(self.texts) // 2, 2, -1)
        features = bb.encode_views(views)
        scores = score_views(features.cpu(), text.cpu(), bb.logit_scale, "maclip", FusionParams())
        return float(scores.q.mean())

    def score(self, paths: Sequence[Path]) -> list[float]:
        return [self(p) for p in paths]


@dataclass
class Variant:
    """A way of scoring the images, and what it measured."""

    name: str
    score: Callable[[Sequence[Path]], list[float]]
    flops: float = 0.0  # visual-encoder FLOPs per 224x224 view at its precision
    peak: float = 0.0  # peak FLOP/s for its dtype
    times: list[float] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    first_call: float = 0.0


def synchronise(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def best_time(fn: Callable[[], object], device: torch.device, repeats: int = 3) -> float:
    """Fastest of ``repeats`` timed calls after one warm-up call, seconds."""
    fn()
    synchronise(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        synchronise(device)
        times.append(time.perf_counter() - start)
    return min(times)


def peak_flops(device: torch.device, dtype: torch.dtype) -> dict[str, float]:
    """FLOP/s of a large matmul and of a large 3x3 convolution (NHWC) in ``dtype``."""
    n = 8192 if device.type == "cuda" else 2048
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    batch = 256 if device.type == "cuda" else 64
    conv = torch.nn.Conv2d(256, 256, 3, padding=1, bias=False).to(device, dtype).eval()
    conv = conv.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    x = torch.randn(batch, 256, 14, 14, device=device, dtype=dtype)
    x = x.contiguous(memory_format=torch.channels_last)
    conv_flops = 2 * batch * 14 * 14 * 256 * 256 * 9
    with torch.inference_mode():
        matmul = 2 * n**3 / best_time(lambda: a @ b, device)
        convolution = conv_flops / best_time(lambda: conv(x), device)
    return {"matmul": matmul, "conv": convolution}


def encoder_flops(backbone: Backbone) -> float:
    """FLOPs of the visual encoder for one 224x224 view (counted on a batch of 8)."""
    views = torch.zeros(8, 3, 224, 224, device=backbone.device)
    with FlopCounterMode(display=False) as counter:
        backbone.encode_views(views)
    return counter.get_total_flops() / 8


def encoder_rate(backbone: Backbone, batch_size: int) -> float:
    """Views per second of the bare visual encoder on full batches."""
    views = torch.randn(batch_size, 3, 224, 224, device=backbone.device)
    return batch_size / best_time(lambda: backbone.encode_views(views), backbone.device, 2)


def cpu_name() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown CPU"
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return f"{fields.get('Model name', '?').strip()}, {fields.get('CPU(s)', '?').strip()} CPUs"


def cpu_has_bf16() -> bool:
    """Whether this CPU has native bf16 instructions (AVX512-BF16 or AMX)."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def build_variants(args: argparse.Namespace, device: torch.device) -> list[Variant]:
    torch.manual_seed(0)
    plain = load_backbone(args.backbone, "random", device=device)
    plain.set_speed(channels_last=False)

    def engine(precision: str = "fp32", **kw: object) -> Callable[[Sequence[Path]], list[float]]:
        backbone = copy.deepcopy(plain)
        backbone.dtype = resolve_precision(precision, device)
        scorer = Scorer(backbone, batch_size=args.batch_size, **kw)  # type: ignore[arg-type]
        return lambda paths: [r.q for r in scorer.score(list(paths))]

    reduced = "bf16" if device.type == "cpu" else "auto"
    makers: dict[str, Callable[[], Callable[[Sequence[Path]], list[float]]]] = {
        "loop": lambda: ReferenceLoop(plain, DEFAULT_PROMPT_PAIRS).score,
        "maclip": lambda: engine(),
        "nchw": lambda: engine(channels_last=False),
        "workers0": lambda: engine(workers=0),
        "workers1": lambda: engine(workers=1),
        "bf16": lambda: engine(precision="bf16"),
        "amp": lambda: engine(precision=reduced),
        "compile": lambda: engine(compile=True),
    }
    names = list(args.variants)
    if "loop" not in names:
        names.insert(0, "loop")
    return [Variant(name, makers[name]()) for name in names]


def default_variants(device: torch.device, ablations: bool) -> list[str]:
    """The loop, the engine's defaults, reduced precision, and (``ablations``) one change each."""
    other_workers = "workers1" if default_workers(device) == 0 else "workers0"
    if device.type == "cuda":
        return ["loop", "maclip", "amp"] + ([other_workers] if ablations else [])
    names = ["loop", "maclip"] + (["nchw", other_workers] if ablations else [])
    return names + (["bf16"] if cpu_has_bf16() else [])


def variant_dtype(name: str, device: torch.device) -> torch.dtype:
    if name == "bf16":
        return torch.bfloat16
    if name == "amp":
        return resolve_precision("bf16" if device.type == "cpu" else "auto", device)
    return torch.float32


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N (default: cpu)")
    parser.add_argument("--backbone", default="RN50", help="open_clip model (default: RN50)")
    parser.add_argument("--koniq", type=int, default=2, help="1024x768 images (default: 2)")
    parser.add_argument("--others", type=int, default=1, help="images of other sizes (default 1)")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds (default: 2)")
    parser.add_argument("--batch-size", type=int, default=64, help="engine views per forward")
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=["loop", "maclip", "nchw", "workers0", "workers1", "bf16", "amp", "compile"],
        help="what to compare (default: per device)",
    )
    parser.add_argument("--compile", action="store_true", help="add the torch.compile variant")
    parser.add_argument(
        "--ablations", action="store_true", help="add the nchw and other-workers variants"
    )
    args = parser.parse_args()
    device = torch.device(args.device)
    args.variants = args.variants or default_variants(device, args.ablations)
    if args.compile and "compile" not in args.variants:
        args.variants.append("compile")

    name = torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name()
    print(f"machine: {name}; torch {torch.__version__}, {torch.get_num_threads()} threads")
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_images(Path(tmp), args.koniq, args.others)
        warm_up = Path(tmp) / "warm-up.jpg"
        Image.fromarray(photo(224, 352, 99)).save(warm_up)
        variants = build_variants(args, device)
        run(variants, paths, warm_up, args, device)


def run(
    variants: list[Variant],
    paths: list[Path],
    warm_up: Path,
    args: argparse.Namespace,
    device: torch.device,
) -> None:
    num_views = sum(count_views(*Image.open(p).size[::-1]) for p in paths)
    print(
        f"images: {len(paths)} ({args.koniq} of 1024x768), {num_views} views; "
        f"{args.rounds} rounds, variants interleaved, best round counts"
    )
    peaks: dict[torch.dtype, dict[str, float]] = {}
    for variant in variants:
        dtype = variant_dtype(variant.name, device)
        peaks.setdefault(dtype, peak_flops(device, dtype))
        start = time.perf_counter()
        variant.score([warm_up])  # kernel selection, workers, compilation
        variant.first_call = time.perf_counter() - start
    for round_ in range(args.rounds):
        print(f"round {round_ + 1} of {args.rounds} ...", flush=True)
        for variant in variants:
            synchronise(device)
            start = time.perf_counter()
            variant.scores = variant.score(paths)
            synchronise(device)
            variant.times.append(time.perf_counter() - start)
    for dtype in peaks:  # peaks again at the end; the best of both runs counts
        again = peak_flops(device, dtype)
        peaks[dtype] = {k: max(v, again[k]) for k, v in peaks[dtype].items()}
    report(variants, peaks, num_views, len(paths), args, device)


def report(
    variants: list[Variant],
    peaks: dict[torch.dtype, dict[str, float]],
    num_views: int,
    num_images: int,
    args: argparse.Namespace,
    device: torch.device,
) -> None:
    torch.manual_seed(0)
    probe = load_backbone(args.backbone, "random", device=device)
    flops = encoder_flops(probe)
    print(f"visual encoder: {flops / 1e9:.2f} GFLOP per 224x224 view (FlopCounterMode)")
    for dtype, peak in peaks.items():
        print(
            f"measured peak {str(dtype)[6:]}: matmul {peak['matmul'] / 1e9:.0f} GFLOP/s, "
            f"3x3 conv {peak['conv'] / 1e9:.0f} GFLOP/s"
        )
    loop = variants[0]
    loop_rate = num_images / min(loop.times)
    print(
        f"\n{'variant':<10}{'images/s':>10}{'views/s':>10}{'vs loop':>9}{'max|dQ|':>10}"
        f"{'GFLOP/s':>9}{'% peak':>8}{'1st call s':>11}"
    )
    for v in variants:
        seconds = min(v.times)  # best round: the least disturbed by other work
        rate = num_images / seconds
        gflops = flops * num_views / seconds / 1e9
        peak = max(peaks[variant_dtype(v.name, device)].values()) / 1e9
        diff = max(abs(a - b) for a, b in zip(v.scores, loop.scores, strict=True))
        print(
            f"{v.name:<10}{rate:>10.3f}{num_views / seconds:>10.2f}{rate / loop_rate:>8.2f}x"
            f"{diff:>10.1e}{gflops:>9.0f}{100 * gflops / peak:>7.0f}%{v.first_call:>11.1f}"
        )
    print("\n(end to end: decode + views + encoder + scoring; GFLOP/s counts the encoder's FLOPs)")
    reduced = [v.name for v in variants if v.name in ("bf16", "amp")][:1]
    for dtype in (variant_dtype(name, device) for name in ["maclip", *reduced]):
        torch.manual_seed(0)
        bb = load_backbone(args.backbone, "random", device=device)
        bb.dtype = dtype
        bb.set_speed()
        name = str(dtype).removeprefix("torch.")
        rate, peak = 0.0, max(peaks[dtype].values())
        for _ in range(3):  # interleaved with the peak, best of each: less noise on a busy host
            rate = max(rate, encoder_rate(bb, args.batch_size))
            peak = max(peak, *peak_flops(device, dtype).values())
        print(
            f"encoder alone, {name}, batch {args.batch_size}: {rate:.1f} views/s = "
            f"{rate * flops / 1e9:.0f} GFLOP/s, {100 * rate * flops / peak:.0f}% of peak"
        )


if __name__ == "__main__":
    main()
