"""Java (``maclip bench``, ONNX Runtime) against the PyTorch reference engine, side by side.

Builds a full-size RN50 bundle with seeded random weights (``maclip-pytorch export``;
speed does not depend on the values, nothing is downloaded; ``--bundle DIR`` keeps it
for the next run), writes K generated photos at 1024x768 (36 views each) and K at
512x384 (7 views) as PNG, and for each size times, interleaved round by round on the
same files, fp32 on the CPU with the same number of threads:

* ``PyTorch``: :class:`maclip.Scorer` with its defaults (RN50, the same random
  weights), end to end: decode, views, encoder, scores;
* ``Java``: ``maclip bench --paced --json``, started once per size; it warms up and
  runs each round when this script says so, end to end as above;
* ``ORT``: the bundle's ``visual.onnx`` in ONNX Runtime from Python, on the same views
  cut beforehand by the reference, in batches of Java's size: the encoder alone, the
  floor for Java (``Java over ORT`` is Java's own cost: decoding, views, scoring).

Every engine warms up once; the best round counts (the one least disturbed by other
work). It prints images/s per engine, Java/PyTorch (target >= 1.5x), the largest
|dQ| between Java and PyTorch per image (target <= 1e-4), Java over ORT (target < 10%),
and Java's process wall time (waits for the other engines left out) with its JVM
start and model load.

    python benchmarks/java_vs_pytorch.py                 # under 4 minutes on 2 idle cores
    python benchmarks/java_vs_pytorch.py --bundle /tmp/rn50 --images 8 --rounds 5
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
from throughput import cpu_name

from maclip import Scorer
from maclip.backbone import load_backbone
from maclip.export import INPUT_NAME, ONNX_FILE, OUTPUT_NAME, export_bundle
from maclip.pipeline import Failed
from maclip.quality import score_views
from maclip.views import count_views, cut_views

REPO = Path(__file__).resolve().parents[2]
SIZES = [(768, 1024), (384, 512)]  # (height, width)
TARGET_SPEED_UP = 1.5
TARGET_DQ = 1e-4
TARGET_OVERHEAD = 0.10


def ensure_bundle(folder: Path, backbone: str) -> None:
    """Export ``backbone`` with seeded random weights to ``folder`` unless it holds that already."""
    manifest = folder / "maclip.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        if (meta.get("backbone"), meta.get("pretrained")) != (backbone, "random"):
            raise SystemExit(
                f"{folder} holds {meta.get('backbone')} ({meta.get('pretrained')}), "
                f"not {backbone} (random): name another --bundle folder"
            )
        print(f"bundle: {folder} (reused)", flush=True)
        return
    start = time.perf_counter()
    model = load_backbone(backbone, "random", device="cpu", precision="fp32", pos_embedding="drop")
    exported = export_bundle(model, folder)
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

    def __init__(self, backbone: str) -> None:
        self.scorer = Scorer(backbone, pretrained="random", device="cpu", precision="fp32")

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
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
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
    torch: Column
    java: Column
    ort: Column
    java_report: dict[str, Any]


def measure_size(
    size: tuple[int, int],
    paths: list[Path],
    torch_engine: TorchEngine,
    ort: OrtEngine,
    command: list[str],
    args: argparse.Namespace,
) -> SizeResult:
    height, width = size
    print(f"{label(size)}: starting Java ...", flush=True)
    java = JavaBench(command, args.bundle, paths, args)
    columns = {"PyTorch": Column("PyTorch"), "ORT": Column("ORT"), "Java": Column("Java")}
    ort.prepare(paths)
    torch_engine.run(paths, Column("warm-up"))
    ort.run(paths, Column("warm-up"))
    java.warm_up()
    engines: list[tuple[str, Engine]] = [("PyTorch", torch_engine), ("ORT", ort), ("Java", java)]
    for round_ in range(args.rounds):
        print(f"{label(size)}: round {round_ + 1} of {args.rounds} ...", flush=True)
        turn = round_ % len(engines)  # each engine goes first in turn
        for name, engine in engines[turn:] + engines[:turn]:
            engine.run(paths, columns[name])
    report = java.finish(columns["Java"])
    return SizeResult(
        size,
        count_views(height, width),
        len(paths),
        columns["PyTorch"],
        columns["Java"],
        columns["ORT"],
        report,
    )


def label(size: tuple[int, int]) -> str:
    """``WxH`` of a ``(height, width)`` size."""
    return f"{size[1]}x{size[0]}"


def largest_diff(a: Sequence[float], b: Sequence[float]) -> float:
    """Largest |a - b| over images (NaN when any score is NaN)."""
    return float(np.max(np.abs(np.subtract(a, b))))


def report(results: list[SizeResult], args: argparse.Namespace) -> None:
    print(
        f"\n{'size':<10}{'views':>6}{'PyTorch':>9}{'Java':>9}{'ORT':>9}{'Java/PyT':>10}"
        f"{'J over ORT':>11}{'max|dQ| J-P':>13}{'max|dQ| O-P':>13}"
    )
    print(f"{'':<10}{'/img':>6}{'img/s':>9}{'img/s':>9}{'img/s':>9}")
    checks = []
    for r in results:
        py, jv, ort = (c.rate(r.images) for c in (r.torch, r.java, r.ort))
        dq_java = largest_diff(r.java.q, r.torch.q)
        dq_ort = largest_diff(r.ort.q, r.torch.q)
        overhead = ort / jv - 1  # Java's best seconds over ORT's, minus one
        print(
            f"{label(r.size):<10}{r.views:>6}{py:>9.3f}{jv:>9.3f}{ort:>9.3f}"
            f"{jv / py:>9.2f}x{100 * overhead:>+10.1f}%{dq_java:>13.1e}{dq_ort:>13.1e}"
        )
        checks.append((r, jv / py, dq_java, overhead))
    print(
        "\n(images/s of the best round, end to end for PyTorch and Java; ORT is the encoder "
        f"alone on the same views, batch {args.batch_size}; J over ORT: Java's extra time)"
    )
    for r in results:
        rep = r.java_report
        print(
            f"Java {label(r.size)}: process {rep['process_seconds']:.1f} s without "
            f"waits (JVM start {rep['jvm_seconds']:.2f} s, model load {rep['load_seconds']:.2f} "
            f"s, warm-up {rep['warm_up_seconds']:.2f} s, {len(rep['round_seconds'])} rounds "
            f"{sum(rep['round_seconds']):.1f} s); rounds s: Java "
            + " ".join(f"{s:.2f}" for s in r.java.seconds)
            + ", PyTorch "
            + " ".join(f"{s:.2f}" for s in r.torch.seconds)
            + ", ORT "
            + " ".join(f"{s:.2f}" for s in r.ort.seconds)
        )
    print()
    for r, speed_up, dq, overhead in checks:
        print(
            f"{label(r.size)}: Java/PyTorch {speed_up:.2f}x "
            f"{'meets' if speed_up >= TARGET_SPEED_UP else 'MISSES'} >= {TARGET_SPEED_UP}x; "
            f"|dQ| {dq:.1e} {'meets' if dq <= TARGET_DQ else 'MISSES'} <= {TARGET_DQ:g}; "
            f"Java over ORT {100 * overhead:+.1f}% "
            f"{'meets' if overhead < TARGET_OVERHEAD else 'MISSES'} < {100 * TARGET_OVERHEAD:.0f}%"
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
    parser.add_argument("--jar", type=Path, help="maclip-scoring's cli jar (default: ./maclip)")
    args = parser.parse_args()
    if min(args.images, args.rounds, args.threads, args.batch_size) < 1:
        parser.error("--images, --rounds, --threads and --batch-size must be at least 1")
    torch.set_num_threads(args.threads)
    command = java_command(args)
    print(
        f"machine: {cpu_name()}; torch {torch.__version__}, onnxruntime "
        f"{onnxruntime.__version__}; {args.threads} threads, fp32, CPU; "
        f"images per size: {args.images}; rounds after a warm-up: {args.rounds}, the best counts"
    )
    with tempfile.TemporaryDirectory(prefix="maclip-bench-") as tmp:
        args.bundle = args.bundle or Path(tmp) / "bundle"
        ensure_bundle(args.bundle, args.backbone)
        torch_engine = TorchEngine(args.backbone)
        ort = OrtEngine(args.bundle, args.threads, args.batch_size, torch_engine.scorer)
        results = []
        for size in SIZES:
            folder = Path(tmp) / label(size)
            folder.mkdir()
            paths = write_photos(folder, size, args.images)
            results.append(measure_size(size, paths, torch_engine, ort, command, args))
        report(results, args)


if __name__ == "__main__":
    main()
