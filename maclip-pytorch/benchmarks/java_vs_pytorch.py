"""Java (``maclip bench``, ONNX Runtime, fp32 and int8) against the PyTorch reference engine.

Builds two full-size RN50 bundles with seeded random weights (``maclip-pytorch export``,
fp32 and ``--int8``; speed does not depend on the values, nothing is downloaded;
``--bundle DIR`` and ``--int8-bundle DIR`` keep them for the next run), writes K
generated photos at 1024x768 (36 views each) and K at 512x384 (7 views) as PNG, and for
each size times, interleaved round by round on the same files, on the CPU with the same
number of threads (each engine going first in turn):

* ``PyTorch fp32``, ``PyTorch bf16`` (only where the CPU has AVX512-BF16 or AMX):
  :class:`maclip.Scorer` with its defaults, end to end: decode, views, encoder, scores;
* ``ORT fp32``, ``ORT int8``: the bundle's ``visual.onnx`` in ONNX Runtime from Python,
  on the same views cut beforehand by the reference, in batches of Java's size: the
  encoder alone, the floor for Java;
* ``Java fp32``, ``Java int8``: ``maclip bench --paced --json``, one process per bundle
  and size; it warms up and runs each round when this script says so, end to end.

Every engine warms up once; the best round counts (the one least disturbed by other
work). It prints the CPU's flags (AVX-512 VNNI, AMX), images/s per engine, the largest
|dQ| per image against PyTorch fp32, the Java processes' start and load times, and the
targets: Java fp32/PyTorch fp32 >= 1.5x, Java int8/Java fp32 >= 2x, Java int8 ahead of
PyTorch bf16.

    python benchmarks/java_vs_pytorch.py                 # about 10 minutes on 2 busy cores
    python benchmarks/java_vs_pytorch.py --bundle /tmp/rn50 --int8-bundle /tmp/rn50-int8
    python benchmarks/java_vs_pytorch.py --jar maclip-scoring/target/maclip-scoring-0.1.0-cli.jar
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import onnxruntime
import torch
from PIL import Image
from synthetic_photos import photo
from throughput import cpu_has_bf16, cpu_name

from maclip import Scorer
from maclip.backbone import load_backbone
from maclip.export import INPUT_NAME, ONNX_FILE, OUTPUT_NAME, export_bundle, session_options
from maclip.pipeline import Failed
from maclip.quality import score_views
from maclip.views import count_views, cut_views

REPO = Path(__file__).resolve().parents[2]
SIZES = [(768, 1024), (384, 512)]  # (height, width)
TARGET_SPEED_UP = 1.5
TARGET_DQ = 1e-4
TARGET_OVERHEAD = 0.10
TARGET_INT8_SPEED_UP = 2.0


def cpu_flags() -> list[str]:
    """The CPU's flags that decide int8 and bf16 speed (AVX-512 VNNI, AMX, ...)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = set(next((line for line in text.splitlines() if line.startswith("flags")), "").split())
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16", "amx_int8")
    return [f for f in wanted if f in flags]


def ensure_bundle(folder: Path, backbone: str, precision: str = "fp32") -> None:
    """Export ``backbone`` with seeded random weights to ``folder`` unless it holds that already."""
    manifest = folder / "maclip.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        found = (meta.get("backbone"), meta.get("pretrained"), meta.get("precision", "fp32"))
        if found != (backbone, "random", precision):
            raise SystemExit(
                f"{folder} holds {found}, not {backbone} (random, {precision}): "
                "name another bundle folder"
            )
        print(f"bundle: {folder} (reused)", flush=True)
        return
    start = time.perf_counter()
    model = load_backbone(backbone, "random", device="cpu", precision="fp32", pos_embedding="drop")
    exported = export_bundle(model, folder, precision=precision)
    print(
        f"bundle: {folder} exported in {time.perf_counter() - start:.0f} s "
        f"(ONNX Runtime vs torch: embeddings {exported.check.max_abs_embedding_diff:.1e}, "
        f"Q {exported.check.max_abs_q_diff:.1e})",
        flush=True,
    )


def write_photos(folder: Path, size: tuple[int, int], count: int) -> list[Path]:
    """``count`` generated photos of ``size`` (height, width) as PNG (lossless: same pixels)."""
    height, width = size
    paths = []
    for seed in range(count):
        path = folder / f"photo{seed:02d}_{width}x{height}.png"
        Image.fromarray(photo(height, width, 1000 * height + seed)).save(path)
        paths.append(path)
    return paths


@dataclass
class Column:
    """One engine's measurement at one image size."""

    name: str
    seconds: list[float] = field(default_factory=list)
    q: list[float] = field(default_factory=list)

    def rate(self, images: int) -> float:
        """Images per second in the best round."""
        return images / min(self.seconds)


class Engine(Protocol):
    """Something that scores ``paths`` once and adds the round to ``column``."""

    def run(self, paths: Sequence[Path], column: Column) -> None: ...


class TorchEngine:
    """The reference engine with its defaults, end to end."""

    def __init__(self, backbone: str, precision: str = "fp32") -> None:
        self.scorer = Scorer(backbone, pretrained="random", device="cpu", precision=precision)

    def run(self, paths: Sequence[Path], column: Column) -> None:
        start = time.perf_counter()
        results = self.scorer.score(list(paths))
        column.seconds.append(time.perf_counter() - start)
        failed = [f"{r.key}: {r.error}" for r in results if r.error]
        if failed:
            raise SystemExit("PyTorch could not score " + "; ".join(failed))
        column.q = [r.q for r in results]


class OrtEngine:
    """``visual.onnx`` in ONNX Runtime on views cut beforehand: the encoder alone."""

    def __init__(self, bundle: Path, threads: int, batch_size: int, reference: Scorer) -> None:
        options = session_options(threads)
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(bundle / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
        self.batch_size = batch_size
        self.reference = reference
        self.batches: list[np.ndarray] = []
        self.counts: list[int] = []

    def prepare(self, paths: Sequence[Path]) -> None:
        """Cuts every image's views with the reference and packs them in batches (untimed)."""
        preparer = self.reference.preparer()
        patch = self.reference.views.patch_size
        views = []
        for path in paths:
            item = preparer(path)
            if isinstance(item, Failed):
                raise SystemExit(f"cannot prepare {item.key}: {item.reason}")
            views.append(cut_views(item.image, item.boxes, patch))
        self.counts = [len(v) for v in views]
        every = torch.cat(views).numpy()
        self.batches = [
            every[i : i + self.batch_size] for i in range(0, len(every), self.batch_size)
        ]

    def run(self, paths: Sequence[Path], column: Column) -> None:
        start = time.perf_counter()
        outputs = [self.session.run([OUTPUT_NAME], {INPUT_NAME: b})[0] for b in self.batches]
        column.seconds.append(time.perf_counter() - start)
        features = torch.from_numpy(np.concatenate(outputs))
        ref = self.reference
        column.q = [
            float(
                score_views(
                    f, ref.text_features, ref.backbone.logit_scale, ref.method, ref.params
                ).q.mean()
            )
            for f in torch.split(features, self.counts)
        ]


class JavaBench:
    """One ``maclip bench --paced --json`` process: a round runs when :meth:`run` says so."""

    def __init__(self, command: list[str], bundle: Path, paths: Sequence[Path], args: Any) -> None:
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                *command,
                "bench",
                "--model",
                str(bundle),
                "--threads",
                str(args.threads),
                "--batch-size",
                str(args.batch_size),
                "--rounds",
                str(args.rounds),
                "--paced",
                "--json",
                *map(str, paths),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        self.rounds, self.total = 0, args.rounds
        self.out = self.err = ""
        self.wall = 0.0
        self.step("ready")

    def step(self, name: str) -> float:
        """Waits for ``bench: <name> <seconds> s`` on Java's stderr; returns the seconds."""
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if line.startswith(f"bench: {name} "):
                return float(line.split()[-2])
            self.log.append(line.rstrip("\n"))
        self.process.wait()
        raise SystemExit(
            f"maclip bench ended (exit {self.process.returncode}) before '{name}':\n"
            + "\n".join(self.log)
        )

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def warm_up(self) -> None:
        self.go()
        self.step("warm-up")

    def run(self, paths: Sequence[Path], column: Column) -> None:
        self.go()
        self.rounds += 1
        column.seconds.append(self.step(f"round {self.rounds}"))
        if self.rounds == self.total:  # Java reports and exits now, before the next engine runs
            self.out, self.err = self.process.communicate()
            self.wall = time.perf_counter() - self.started

    def finish(self, column: Column) -> dict[str, Any]:
        """Java's report; its round times (exact) and Q replace the announced ones."""
        if self.process.returncode != 0:
            raise SystemExit(f"maclip bench failed (exit {self.process.returncode}):\n{self.err}")
        report: dict[str, Any] = json.loads(self.out)
        column.seconds = list(report["round_seconds"])
        column.q = [r["q"] for r in report["results"]]
        report["process_seconds"] = self.wall - report["waited_seconds"]
        return report


def java_command(args: argparse.Namespace) -> list[str]:
    """How to start the Java CLI; the launcher builds its jar first when it is stale (untimed)."""
    if args.jar:
        return ["java", "-jar", str(args.jar)]
    launcher = [str(REPO / "maclip")]
    subprocess.run([*launcher, "--version"], check=True, stdout=subprocess.DEVNULL)
    return launcher


@dataclass
class SizeResult:
    size: tuple[int, int]
    views: int
    images: int
    columns: dict[str, Column]
    java_reports: dict[str, dict[str, Any]]


def measure_size(
    size: tuple[int, int],
    paths: list[Path],
    engines: dict[str, Any],
    bundles: dict[str, Path],
    command: list[str],
    args: argparse.Namespace,
) -> SizeResult:
    """Every engine on ``paths``, round by round, each going first in turn."""
    height, width = size
    print(f"{label(size)}: starting Java ...", flush=True)
    javas = {f"Java {p}": JavaBench(command, bundle, paths, args) for p, bundle in bundles.items()}
    running: dict[str, Engine] = {**engines, **javas}
    columns = {name: Column(name) for name in running}
    for engine in engines.values():
        if isinstance(engine, OrtEngine):
            engine.prepare(paths)
        engine.run(paths, Column("warm-up"))
    for java in javas.values():
        java.warm_up()
    order = list(running.items())
    for round_ in range(args.rounds):
        print(f"{label(size)}: round {round_ + 1} of {args.rounds} ...", flush=True)
        turn = round_ % len(order)  # each engine goes first in turn
        for name, engine in order[turn:] + order[:turn]:
            engine.run(paths, columns[name])
    reports = {name: java.finish(columns[name]) for name, java in javas.items()}
    return SizeResult(size, count_views(height, width), len(paths), columns, reports)


def label(size: tuple[int, int]) -> str:
    """``WxH`` of a ``(height, width)`` size."""
    return f"{size[1]}x{size[0]}"


def largest_diff(a: Sequence[float], b: Sequence[float]) -> float:
    """Largest |a - b| over images (NaN when any score is NaN)."""
    return float(np.max(np.abs(np.subtract(a, b))))


def report(results: list[SizeResult], args: argparse.Namespace) -> None:
    names = list(results[0].columns)
    print("\nimages/s (best round; end to end but ORT, the encoder alone on the same views):")
    print(f"{'size':<10}{'views':>6}" + "".join(f"{n:>14}" for n in names))
    for r in results:
        rates = [r.columns[n].rate(r.images) for n in names]
        print(f"{label(r.size):<10}{r.views:>6}" + "".join(f"{v:>14.3f}" for v in rates))
    print("\nlargest |dQ| per image against PyTorch fp32:")
    for r in results:
        ref = r.columns["PyTorch fp32"].q
        print(
            f"{label(r.size):<10}"
            + "; ".join(f"{n} {largest_diff(r.columns[n].q, ref):.1e}" for n in names[1:])
        )
    print()
    for r in results:
        for name, rep in r.java_reports.items():
            print(
                f"{name} {label(r.size)}: process {rep['process_seconds']:.1f} s without "
                f"waits (JVM start {rep['jvm_seconds']:.2f} s, model load "
                f"{rep['load_seconds']:.2f} s, warm-up {rep['warm_up_seconds']:.2f} s); rounds s: "
                + " ".join(f"{s:.2f}" for s in r.columns[name].seconds)
            )
        print(
            f"{label(r.size)} other rounds s: "
            + "; ".join(
                f"{n} " + " ".join(f"{s:.2f}" for s in r.columns[n].seconds)
                for n in names
                if not n.startswith("Java")
            )
        )
    print()
    for r in results:
        rate = {n: r.columns[n].rate(r.images) for n in names}
        checks = [
            ("Java fp32/PyTorch fp32", rate["Java fp32"] / rate["PyTorch fp32"], TARGET_SPEED_UP),
            ("Java int8/Java fp32", rate["Java int8"] / rate["Java fp32"], TARGET_INT8_SPEED_UP),
        ]
        if "PyTorch bf16" in rate:
            checks.append(("Java int8/PyTorch bf16", rate["Java int8"] / rate["PyTorch bf16"], 1.0))
        print(
            f"{label(r.size)}: "
            + "; ".join(
                f"{what} {ratio:.2f}x {'meets' if ratio >= target else 'MISSES'} >= {target}x"
                for what, ratio, target in checks
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=4, help="photos per size (default: 4)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (default: 3)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default: 2)")
    parser.add_argument(
        "--batch-size", type=int, default=32, help="Java's and ORT's views per run (default: 32)"
    )
    parser.add_argument("--backbone", default="RN50", help="open_clip model (default: RN50)")
    parser.add_argument(
        "--bundle", type=Path, help="bundle folder: reused, or exported there (default: temporary)"
    )
    parser.add_argument(
        "--int8-bundle", type=Path, help="int8 bundle folder: reused, or exported there"
    )
    parser.add_argument("--jar", type=Path, help="maclip-scoring's cli jar (default: ./maclip)")
    args = parser.parse_args()
    if min(args.images, args.rounds, args.threads, args.batch_size) < 1:
        parser.error("--images, --rounds, --threads and --batch-size must be at least 1")
    torch.set_num_threads(args.threads)
    command = java_command(args)
    print(
        f"machine: {cpu_name()}; CPU flags: {', '.join(cpu_flags()) or 'none of interest'}; "
        f"torch {torch.__version__}, onnxruntime {onnxruntime.__version__}; {args.threads} "
        f"threads, CPU; images per size: {args.images}; rounds after a warm-up: {args.rounds}, "
        "the best counts"
    )
    with tempfile.TemporaryDirectory(prefix="maclip-bench-") as tmp:
        bundles = {
            "fp32": args.bundle or Path(tmp) / "bundle",
            "int8": args.int8_bundle or Path(tmp) / "bundle-int8",
        }
        for precision, folder in bundles.items():
            ensure_bundle(folder, args.backbone, precision)
        torch_engine = TorchEngine(args.backbone)
        engines: dict[str, Any] = {"PyTorch fp32": torch_engine}
        if cpu_has_bf16():
            engines["PyTorch bf16"] = TorchEngine(args.backbone, "bf16")
        for precision, folder in bundles.items():
            engines[f"ORT {precision}"] = OrtEngine(
                folder, args.threads, args.batch_size, torch_engine.scorer
            )
        results = []
        for size in SIZES:
            folder = Path(tmp) / label(size)
            folder.mkdir()
            paths = write_photos(folder, size, args.images)
            results.append(measure_size(size, paths, engines, bundles, command, args))
        report(results, args)


if __name__ == "__main__":
    main()
