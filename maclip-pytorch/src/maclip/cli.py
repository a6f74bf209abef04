"""The ``maclip-pytorch`` command line.

``maclip-pytorch score PATH...`` scores images; ``maclip-pytorch models`` lists backbones.
Other commands register themselves through :func:`build_parser`. The model
and scoring options are shared by every command through
:func:`add_model_arguments`, :func:`add_scoring_arguments` and
:func:`scorer_from_args`.

Exit codes: 0 all images scored; 1 some images failed (each one reported
with its file and reason); 2 bad usage, no inputs, or a model that cannot be
loaded; 130 interrupted.
"""

from __future__ import annotations

import argparse
import io
import logging
import math
import os
import sys
from collections.abc import Sequence
from typing import Any

from tqdm import tqdm

from . import __version__
from .backbone import BackboneError, iter_backbones
from .images import DEFAULT_MAX_PIXELS
from .inputs import InputError, gather_inputs
from .quality import DEFAULT_PROMPT_PAIRS, METHODS
from .scorer import Scorer
from .views import ViewConfig
from .writers import (
    FORMATS,
    OutputError,
    ResultWriter,
    check_output,
    completed_keys,
    infer_format,
    open_output,
)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """A usage or setup problem reported as one line, exit code 2."""


def _size(text: str) -> tuple[int, int]:
    """Parse ``448``, ``448x448`` or ``384x512`` (height x width)."""
    parts = text.lower().replace("×", "x").split("x")
    try:
        values = [int(p) for p in parts]
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"size {text!r} is not N or HxW") from err
    if len(values) == 1:
        values *= 2
    if len(values) != 2 or min(values) < 1:
        raise argparse.ArgumentTypeError(f"size {text!r} is not N or HxW with positive sides")
    return values[0], values[1]


def finite_float(text: str) -> float:
    """Parse a finite number (``nan`` and ``inf`` are refused)."""
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from err
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Options that choose and load the backbone."""
    group = add_weights_arguments(parser)
    group.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    group.add_argument(
        "--precision",
        default="fp32",
        choices=["auto", "fp32", "fp16", "bf16"],
        help="visual-encoder precision (default: fp32)",
    )
    group.add_argument(
        "--batch-size", type=int, default=64, help="views per encoder forward (default: 64)"
    )
    group.add_argument(
        "--pos-embedding",
        default="drop",
        choices=["drop", "interpolate"],
        help="drop the positional embedding (paper) or interpolate it to the input",
    )
    _add_speed_arguments(parser)


def add_weights_arguments(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """Options that choose the backbone and its weights; returns their group."""
    group = parser.add_argument_group("model")
    group.add_argument("--backbone", default="RN50", help="open_clip model name (default: RN50)")
    group.add_argument(
        "--pretrained",
        default="openai",
        help="open_clip pretrained tag, downloaded on first use (default: openai); "
        "'random' for random weights",
    )
    group.add_argument(
        "--checkpoint",
        help="local state-dict file (.pt/.pth/.bin/.safetensors) to load "
        "instead of downloading; works offline",
    )
    group.add_argument("--model-config", help="custom open_clip model config JSON to register")
    group.add_argument("--cache-dir", help="download cache for pretrained weights")
    return group


def _add_speed_arguments(parser: argparse.ArgumentParser) -> None:
    speed = parser.add_argument_group("speed (scores stay within 1e-5 of the defaults)")
    speed.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes decoding images while the encoder runs; 0 decodes in the main "
        "process (default: 0 on CPUs under 4 cores, else 1; up to 8 on a GPU)",
    )
    speed.add_argument(
        "--channels-last",
        action=argparse.BooleanOptionalAction,
        help="NHWC layout for ResNet convolutions (default: on for CPU and CUDA)",
    )
    speed.add_argument(
        "--compile",
        action="store_true",
        help="compile the visual encoder with torch.compile (slow start; see README)",
    )


def add_scoring_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the method, fusion, prompts, views and input limits."""
    group = parser.add_argument_group("scoring")
    group.add_argument("--method", default="maclip", choices=METHODS)
    number = finite_float
    group.add_argument("--lam", type=number, default=0.5, help="Box-Cox λ (default: 0.5)")
    group.add_argument("--alpha", type=number, default=1.0, help="fusion α (default: 1.0)")
    group.add_argument(
        "--b-sim", type=number, default=1.0, help="base logit of Q_sim (default 1.0)"
    )
    group.add_argument(
        "--b-mag", type=number, default=0.6, help="base logit of Q_mag (default 0.6)"
    )
    group.add_argument(
        "--prompt-pair",
        nargs=2,
        action="append",
        metavar=("POSITIVE", "NEGATIVE"),
        help="antonym prompt pair; repeat for several (default: the paper's five)",
    )
    views = parser.add_argument_group("views")
    views.add_argument(
        "--pre-resize",
        type=_size,
        metavar="HxW",
        help="resize every image first, e.g. 448x448 (SPAQ in the paper)",
    )
    views.add_argument(
        "--max-side", type=int, help="cap the longer side (default: off, as in the paper)"
    )
    views.add_argument("--patch-size", type=int, default=224)
    views.add_argument("--stride", type=int, default=128)
    views.add_argument("--no-global", action="store_true", help="leave out the whole-image view")
    views.add_argument(
        "--max-pixels",
        type=int,
        default=DEFAULT_MAX_PIXELS,
        help=f"refuse larger images, a decompression-bomb guard (default: {DEFAULT_MAX_PIXELS})",
    )


def view_config_from_args(args: argparse.Namespace) -> ViewConfig:
    """The :class:`ViewConfig` the view options describe."""
    try:
        return ViewConfig(
            patch_size=args.patch_size,
            stride=args.stride,
            include_global=not args.no_global,
            pre_resize=args.pre_resize,
            max_side=args.max_side,
            min_side=args.patch_size,
        )
    except ValueError as err:
        raise CommandError(str(err)) from err


def scorer_options(args: argparse.Namespace) -> dict[str, Any]:
    """The :class:`Scorer` keyword arguments that the model and scoring options describe."""
    return dict(
        backbone=args.backbone,
        pretrained=args.pretrained,
        checkpoint=args.checkpoint,
        model_config=args.model_config,
        device=args.device,
        precision=args.precision,
        batch_size=args.batch_size,
        method=args.method,
        prompts=[tuple(p) for p in args.prompt_pair] if args.prompt_pair else DEFAULT_PROMPT_PAIRS,
        lam=args.lam,
        alpha=args.alpha,
        b_sim=args.b_sim,
        b_mag=args.b_mag,
        views=view_config_from_args(args),
        pos_embedding=args.pos_embedding,
        max_pixels=args.max_pixels,
        cache_dir=args.cache_dir,
        workers=getattr(args, "workers", None),
        channels_last=getattr(args, "channels_last", None),
        compile=getattr(args, "compile", False),
    )


def scorer_from_args(args: argparse.Namespace) -> Scorer:
    """Build the :class:`Scorer` that the model and scoring options describe."""
    try:
        return Scorer(**scorer_options(args))
    except (BackboneError, ValueError) as err:
        raise CommandError(str(err)) from err


def progress_bar(total: int | None, quiet: bool, desc: str | None = None) -> tqdm[Any]:
    """The progress bar of every command: images, on standard error, off when ``quiet``.

    ``total=None`` when the count is not known up front; outside a terminal the bar
    turns itself off.
    """
    return tqdm(
        total=total,
        unit="img",
        desc=desc,
        disable=True if quiet else None,
        file=sys.stderr,
        dynamic_ncols=True,
    )


def run_score(args: argparse.Namespace) -> int:
    """``maclip-pytorch score``: score images and write one row per image."""
    try:
        paths = gather_inputs(args.paths, recursive=args.recursive)
    except InputError as err:
        raise CommandError(str(err)) from err
    fmt = infer_format(args.output, args.format)
    check_output(args.output)
    if args.resume:
        if fmt != "jsonl" or not args.output:
            raise CommandError("--resume needs a JSON Lines output file: -o results.jsonl")
        # matched on the real path: a folder given once relative, once absolute is one folder
        done = {os.path.realpath(key) for key in completed_keys(args.output)}
        skipped = len(paths)
        paths = [p for p in paths if os.path.realpath(p) not in done]
        skipped -= len(paths)
        if skipped:
            print(f"resuming: {skipped} images already scored in {args.output}", file=sys.stderr)
    if not paths and not args.resume:
        raise CommandError("no images found (give files, folders with -r, patterns or lists)")
    scorer = scorer_from_args(args)
    failed = 0
    stream = open_output(args.output, append=args.resume)
    try:
        with (
            ResultWriter(stream, fmt, include_views=args.views) as writer,
            progress_bar(len(paths), args.quiet) as bar,
        ):
            for result in scorer.iter_score(paths):
                writer.write(result)
                if result.error is not None:
                    failed += 1
                    bar.write(f"error: {result.key}: {result.error}", file=sys.stderr)
                bar.update(1)
    finally:
        if stream is not sys.stdout:
            stream.close()
    if not args.quiet:
        print(
            f"scored {len(paths) - failed} of {len(paths)} images"
            + (f"; {failed} failed" if failed else ""),
            file=sys.stderr,
        )
    return EXIT_SOME_FAILED if failed else EXIT_OK


def run_models(args: argparse.Namespace) -> int:
    """``maclip-pytorch models``: the open_clip backbones MA-CLIP can run, with pretrained tags."""
    rows = [(name, family, ", ".join(tags) or "-") for name, family, tags in iter_backbones()]
    if args.pretrained_only:
        rows = [row for row in rows if row[2] != "-"]
    width = max(len(r[0]) for r in rows)
    print(f"{'backbone'.ljust(width)}  family  pretrained tags")
    for name, family, tags in rows:
        print(f"{name.ljust(width)}  {family.ljust(6)}  {tags}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The ``maclip-pytorch`` argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="maclip-pytorch", description="Training-free image quality scores with MA-CLIP."
    )
    parser.add_argument("--version", action="version", version=f"maclip-pytorch {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show the log messages of open_clip and the download hub",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    score = commands.add_parser(
        "score",
        help="score images",
        description="Score image files, folders (-r), glob patterns or lists of paths (.txt).",
    )
    score.add_argument("paths", nargs="+", metavar="PATH")
    score.add_argument("-r", "--recursive", action="store_true", help="descend into folders")
    score.add_argument("-o", "--output", help="write results here (default: the terminal)")
    score.add_argument(
        "--format",
        choices=FORMATS,
        help="table, csv, jsonl or json (default: from -o's suffix, else table)",
    )
    score.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted JSON Lines run, skipping scored images",
    )
    score.add_argument(
        "--views",
        action="store_true",
        help="include per-view scores and boxes (JSON and JSON Lines)",
    )
    score.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    add_model_arguments(score)
    add_scoring_arguments(score)
    score.set_defaults(func=run_score)

    models = commands.add_parser("models", help="list usable backbones")
    models.add_argument(
        "--pretrained-only",
        action="store_true",
        help="only backbones with downloadable pretrained weights",
    )
    models.set_defaults(func=run_models)
    from .eval.commands import register as register_eval  # imports cli: so here, not on top

    register_eval(commands)
    from .bundle_commands import register as register_bundle

    register_bundle(commands)
    return parser


def configure_logging(verbose: bool) -> None:
    """Log messages on standard error with ``-v``, else none; each shown once.

    The download hub's logger has a handler of its own, so its records are not
    also passed to the root handler (which printed each of them twice).
    """
    level = logging.INFO if verbose else logging.CRITICAL
    logging.basicConfig(level=level)
    logging.getLogger().setLevel(level)
    hub = logging.getLogger("huggingface_hub")
    hub.setLevel(logging.INFO if verbose else logging.CRITICAL)
    hub.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``maclip-pytorch`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        return int(done.code or 0)
    configure_logging(args.verbose)
    if isinstance(sys.stderr, io.TextIOWrapper):  # file names that are not UTF-8: \udcNN
        sys.stderr.reconfigure(errors="backslashreplace")
    try:
        return int(args.func(args))
    except (CommandError, OutputError) as err:
        print(f"maclip-pytorch: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("maclip-pytorch: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into a reader that stopped (e.g. `| head`)
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
