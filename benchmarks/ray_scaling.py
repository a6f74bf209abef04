"""Images/s of the Ray engine with 1, 2, ... scoring actors, beside the one-process engine.

Generates JPEGs, then scores them, in one process and one Ray instance:

* ``local``: :class:`maclip.Scorer` in this process (its defaults: all cores, a
  decoding worker), the reference speed on one machine;
* ``ray xN``: :func:`maclip.distributed.score_dataset` with N actors (one model each).

For each actor count it prints the end-to-end rate (including starting Ray Data's
actors and loading a model in each, as every job does), the steady rate, measured by
difference with a short run of ``--few`` images that pays the same start-up:
``(N - few) / (T_N - T_few)``, and the largest score difference from the local run.
The model is the full-size RN50 with seeded random weights, saved once to a checkpoint
that every actor loads (speed does not depend on the values; nothing is downloaded).

    python benchmarks/ray_scaling.py                          # a few minutes on 2 CPU cores
    python benchmarks/ray_scaling.py --images 24 --actors 1 2
    ray start --head && python benchmarks/ray_scaling.py --address auto --actors 1 2 4 8
    python benchmarks/ray_scaling.py --address auto --gpus-per-actor 0.5 --actors 2 4
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import tempfile
import time
from pathlib import Path

import open_clip
import pyarrow.parquet as pq
import ray
import torch
from PIL import Image
from synthetic_photos import photo

from maclip import Scorer
from maclip.distributed import score_dataset


def random_checkpoint(backbone: str, folder: Path) -> Path:
    """A seeded random-weight state dict of ``backbone``, saved for the actors to load."""
    torch.manual_seed(0)
    model = open_clip.create_model(backbone, pretrained=None)
    path = folder / f"{backbone}-random.pt"
    torch.save(model.state_dict(), path)
    return path


def timed_run(
    inputs: Path, output: Path, options: dict[str, object], args: argparse.Namespace, actors: int
) -> tuple[float, int]:
    """One Ray run: ``(seconds, rows written)``, from the call to the last shard."""
    start = time.perf_counter()
    summary = score_dataset(
        inputs,
        output,
        scorer_options=options,
        actors=actors,
        gpus_per_actor=args.gpus_per_actor,
        rows_per_file=args.rows_per_file,
    )
    return time.perf_counter() - start, summary.written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=32, help="JPEGs to score (default: 32)")
    parser.add_argument("--size", default="384x512", help="image size HxW (default: 384x512)")
    parser.add_argument("--backbone", default="RN50")
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--gpus-per-actor", type=float, default=None)
    parser.add_argument("--rows-per-file", type=int, default=4)
    parser.add_argument(
        "--few", type=int, default=4, help="images of the short run timing start-up (default: 4)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=16, help="views per forward (default: 16)"
    )
    parser.add_argument("--address", help="Ray cluster (default: a local instance)")
    parser.add_argument("--num-cpus", type=int, help="CPUs of the local instance (default: all)")
    parser.add_argument("--no-local", action="store_true", help="skip the one-process run")
    args = parser.parse_args()
    height, width = (int(v) for v in args.size.lower().split("x"))

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        images = folder / "images"
        images.mkdir()
        for i in range(args.images):
            Image.fromarray(photo(height, width, i)).save(images / f"{i:05d}.jpg", quality=90)
        options: dict[str, object] = {
            "backbone": args.backbone,
            "checkpoint": str(random_checkpoint(args.backbone, folder)),
            "device": "auto",
            "batch_size": args.batch_size,
        }
        ray.init(
            address=args.address,
            num_cpus=None if args.address else args.num_cpus,
            include_dashboard=False,
            logging_level=logging.WARNING,
        )
        resources = ray.cluster_resources()
        print(
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores here; "
            f"Ray cluster: {resources.get('CPU', 0):g} CPUs, {resources.get('GPU', 0):g} GPUs; "
            f"{args.images} JPEGs {height}x{width}, {args.backbone} (random weights)"
        )
        paths = sorted(str(p) for p in images.iterdir())
        reference = None
        if not args.no_local:
            scorer = Scorer(**options)  # type: ignore[arg-type]
            scorer.score(paths[:2])  # warm-up
            start = time.perf_counter()
            reference = {r.key: r.q for r in scorer.score(paths)}
            local = len(paths) / (time.perf_counter() - start)
            print(f"{'local':>8}  {local:7.2f} img/s  (one process, model already loaded)")
            del scorer
        few = folder / "few.txt"
        few.write_text("\n".join(paths[: args.few]) + "\n")
        print(f"{'run':>8}  {'end-to-end':>12}  {'steady':>12}  max |dQ| vs local")
        for count in args.actors:
            output = folder / f"out-{count}"
            small, _ = timed_run(few, folder / f"few-{count}", options, args, count)
            total, rows = timed_run(images, output, options, args, count)
            assert rows == len(paths), f"{rows} rows for {len(paths)} images"
            steady = (len(paths) - args.few) / (total - small)
            scores = pq.read_table(output).to_pydict()
            diff = (
                max(abs(q - reference[k]) for k, q in zip(scores["key"], scores["q"], strict=True))
                if reference
                else float("nan")
            )
            line = f"{len(paths) / total:7.2f} img/s  {steady:7.2f} img/s  {diff:.1e}"
            print(f"{'ray x' + str(count):>8}  {line}")
        ray.shutdown()


if __name__ == "__main__":
    main()
