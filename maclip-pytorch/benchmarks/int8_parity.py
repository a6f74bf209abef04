"""What an int8 bundle's recorded fidelity means for Java, and how far Java's int8 is from the
reference's.

Writes the exporter's held-out photographs under its seven distortions (``maclip.quantize``:
28 images) as PNG files (lossless: Java decodes the very pixels the exporter measured), scores
them with the Java CLI through the fp32 and the int8 bundle, and with ONNX Runtime from Python
through the int8 bundle on the reference's own views, then prints:

* Java int8 against Java fp32 on the 28 images: the largest ``|dQ|`` and the Spearman of ``Q``,
  beside the manifest's ``int8_check`` (what the exporter measured with the reference's views);
* Java int8 against the reference's int8: the largest ``|dQ|`` per image and per view.

    python benchmarks/int8_parity.py --fp32 FP32_BUNDLE --int8 INT8_BUNDLE
        [--jar maclip-scoring/target/maclip-scoring-0.1.0-cli.jar]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from maclip.eval.bundles import OnnxBundle
from maclip.eval.metrics import srcc
from maclip.quantize import DISTORTIONS, HELD_OUT_IMAGES, _photo, distort
from maclip.views import cut_views

ROOT = Path(__file__).resolve().parents[2]


def java_scores(jar: Path, bundle: Path, files: list[Path]) -> list[dict]:
    """The Java CLI's JSON Lines results (every view) of ``files``, in order."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "scores.jsonl"
        cmd = ["java", "-jar", str(jar), "score", *map(str, files), "-m", str(bundle)]
        subprocess.run([*cmd, "--views", "-o", str(out)], check=True, capture_output=True)
        rows = [json.loads(line) for line in out.read_text().splitlines()]
    by_path = {Path(r["path"]).name: r for r in rows}
    return [by_path[f.name] for f in files]


def reference_int8(bundle: Path, files: list[Path]) -> list[list[float]]:
    """Per-view Q of each file through the int8 bundle in ONNX Runtime, the reference's views."""
    loaded = OnnxBundle.load(bundle)
    preparer = loaded.preparer()
    out = []
    for file in files:
        item = preparer(file)
        views = cut_views(item.image, item.boxes, loaded.manifest["view"]["patch_size"])
        out.append(loaded.score_views(views).q.tolist())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fp32", type=Path, required=True)
    parser.add_argument("--int8", type=Path, required=True)
    parser.add_argument("--jar", type=Path)
    args = parser.parse_args()
    jar = args.jar or sorted((ROOT / "maclip-scoring/target").glob("maclip-scoring-*-cli.jar"))[0]
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for index, name in enumerate(HELD_OUT_IMAGES):
            photo = _photo(name)
            for kind, strength in DISTORTIONS:
                file = Path(tmp) / f"{Path(name).stem}_{kind}_{strength}.png"
                distort(photo, kind, strength, seed=index).save(file)
                files.append(file)
        fp32 = java_scores(jar, args.fp32, files)
        int8 = java_scores(jar, args.int8, files)
        reference = reference_int8(args.int8, files)
    q32 = np.array([r["q"] for r in fp32])
    q8 = np.array([r["q"] for r in int8])
    check = json.loads((args.int8 / "maclip.json").read_text())["int8_check"]
    print(f"{len(files)} held-out images ({sum(r['views'] for r in int8)} views)")
    print(
        f"Java int8 vs Java fp32: largest |dQ| {np.abs(q8 - q32).max():.4g}, Spearman of Q "
        f"{srcc(q32, q8):.4f}; the manifest's int8_check: |dQ| {check['max_abs_q_diff']:.4g}, "
        f"Spearman {check['q_spearman']:.4f}"
    )
    image_diffs = [abs(r["q"] - float(np.mean(v))) for r, v in zip(int8, reference, strict=True)]
    view_diffs = [
        abs(a["q"] - b)
        for r, v in zip(int8, reference, strict=True)
        for a, b in zip(r["view_scores"], v, strict=True)
    ]
    close = sum(d <= 1e-5 for d in view_diffs)
    print(
        f"Java int8 vs reference int8 (ONNX Runtime from Python, the reference's views): "
        f"largest |dQ| per image {max(image_diffs):.3g} (median {np.median(image_diffs):.2g}), "
        f"per view {max(view_diffs):.3g}; {close} of {len(view_diffs)} views within 1e-5"
    )


if __name__ == "__main__":
    main()
