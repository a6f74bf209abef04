"""The ``maclip-pytorch export`` and ``maclip-pytorch golden`` commands.

:func:`register` adds them to the ``maclip-pytorch`` parser. ``export`` writes a model
bundle (``docs/bundle.md``); ``golden`` writes, or checks, the Java tests' golden files.
"""

from __future__ import annotations

import argparse
import sys
import time

from .backbone import BackboneError, load_backbone
from .cli import EXIT_OK, EXIT_SOME_FAILED, CommandError, add_weights_arguments
from .export import PRECISIONS, ExportError, export_bundle, pretrained_label, read_prompt_file
from .quality import DEFAULT_PROMPT_PAIRS


def run_export(args: argparse.Namespace) -> int:
    """``maclip-pytorch export``: write a model bundle and check it against torch."""
    try:
        prompts = read_prompt_file(args.prompts) if args.prompts else DEFAULT_PROMPT_PAIRS
        backbone = load_backbone(
            args.backbone,
            args.pretrained,
            checkpoint=args.checkpoint,
            model_config=args.model_config,
            device="cpu",
            precision="fp32",
            pos_embedding="drop",
            cache_dir=args.cache_dir,
        )
        start = time.perf_counter()
        exported = export_bundle(
            backbone,
            args.output,
            pretrained=pretrained_label(backbone, args.checkpoint),
            prompts=prompts,
            as_zip=args.zip,
            precision="int8" if args.int8 else args.precision,
        )
    except (BackboneError, ExportError) as err:
        raise CommandError(str(err)) from err
    check = exported.check
    print(
        f"wrote {exported.path} ({backbone.name}, {exported.manifest['pretrained']}) in "
        f"{time.perf_counter() - start:.1f} s; ONNX Runtime vs torch: largest embedding "
        f"difference {check.max_abs_embedding_diff:.3g}, largest Q difference "
        f"{check.max_abs_q_diff:.3g}",
        file=sys.stderr,
    )
    fidelity = exported.fidelity
    if fidelity is not None:
        print(
            f"int8 vs fp32 on {fidelity.images} held-out images ({fidelity.views} views): "
            f"smallest view cosine {fidelity.min_view_cosine:.6f}, largest |ΔQ| "
            f"{fidelity.max_abs_q_diff:.3g}, Spearman of Q {fidelity.q_spearman:.4f}",
            file=sys.stderr,
        )
    return EXIT_OK


def run_golden(args: argparse.Namespace) -> int:
    """``maclip-pytorch golden``: write the Java tests' golden files, or check them."""
    from .golden import check_golden, write_golden

    if not args.check:
        write_golden(args.folder)
        print(f"wrote the golden files to {args.folder}", file=sys.stderr)
        return EXIT_OK
    drift = check_golden(args.folder)
    for line in drift:
        print(f"drift: {line}", file=sys.stderr)
    if drift:
        print(
            f"{len(drift)} golden values in {args.folder} no longer match the reference; "
            "if the change is intended, regenerate them (see its README.md)",
            file=sys.stderr,
        )
        return EXIT_SOME_FAILED
    print(f"the golden files in {args.folder} match the reference", file=sys.stderr)
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``export`` and ``golden`` to the sub-commands of the ``maclip-pytorch`` parser."""
    export = commands.add_parser(
        "export",
        help="write a model bundle (visual.onnx + maclip.json) for the Java scorer",
        description="Export the visual encoder to ONNX with the prompt embeddings and settings "
        "the Java scorer needs, then check ONNX Runtime against torch (refused past 1e-4).",
    )
    export.add_argument("-o", "--output", required=True, metavar="DIR", help="bundle folder")
    export.add_argument(
        "--zip", action="store_true", help="write one DIR.zip holding both files instead"
    )
    export.add_argument(
        "--prompts",
        metavar="FILE",
        help="antonym prompt pairs, one 'positive | negative' per line (default: the paper's)",
    )
    export.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="fp32",
        help="fp32 (default), or int8: static QDQ quantisation calibrated on the packaged "
        "photographs, refused when it strays from fp32 on held-out ones (docs/bundle.md)",
    )
    export.add_argument("--int8", action="store_true", help="short for --precision int8")
    add_weights_arguments(export)
    export.set_defaults(func=run_export)

    golden = commands.add_parser(
        "golden",
        help="write (or --check) the golden files of the Java tests",
        description="Write two tiny bundles with seeded random weights, golden images and the "
        "reference's scores of them into FOLDER; with --check, regenerate into a temporary "
        "folder and report what differs from FOLDER (exit code 1).",
    )
    golden.add_argument("folder", metavar="FOLDER")
    golden.add_argument(
        "--check", action="store_true", help="compare FOLDER with a fresh run instead of writing"
    )
    golden.set_defaults(func=run_golden)
