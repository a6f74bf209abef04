"""Tables of results: printed to the terminal and written as CSV and JSON."""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def format_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: columns padded to their widest cell, floats to 4 decimals."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "-" if math.isnan(value) else f"{value:.4f}"
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in text]
    return "\n".join(line.rstrip() for line in lines)


def markdown_summary(records: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of methods (rows) × datasets (columns): SRCC and PLCC with 95% CIs.

    Args:
        records: Rows with ``dataset``, ``method``, ``srcc``, ``srcc_low``, ``srcc_high``,
            ``plcc``, ``plcc_low``, ``plcc_high`` (as ``maclip-pytorch eval`` writes them).
    """
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    methods = list(dict.fromkeys(r["method"] for r in records))
    cells = {(r["method"], r["dataset"]): r for r in records}

    def cell(r: dict[str, Any] | None) -> str:
        if r is None:
            return "–"
        parts = []
        for name in ("srcc", "plcc"):
            low, high = r[f"{name}_low"], r[f"{name}_high"]
            interval = "" if math.isnan(low) else f" [{low:.3f}, {high:.3f}]"
            parts.append(f"{r[name]:.3f}{interval}")
        return " / ".join(parts)

    lines = [
        "| method | " + " | ".join(datasets) + " |",
        "| --- |" + " --- |" * len(datasets),
        *(
            f"| {m} | " + " | ".join(cell(cells.get((m, d))) for d in datasets) + " |"
            for m in methods
        ),
    ]
    return "SRCC / PLCC [95% bootstrap CI]\n\n" + "\n".join(lines) + "\n"


def write_csv(path: str | os.PathLike, records: Sequence[dict[str, Any]]) -> Path:
    """Write dict records (same keys) as CSV with a header row."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]) if records else [])
        writer.writeheader()
        writer.writerows(records)
    return out


def write_json(path: str | os.PathLike, data: Any) -> Path:
    """Write JSON (NaN becomes ``null``)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_clean(data), indent=2) + "\n", encoding="utf-8")
    return out


def _clean(data: Any) -> Any:
    if isinstance(data, float) and math.isnan(data):
        return None
    if isinstance(data, dict):
        return {k: _clean(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_clean(v) for v in data]
    return data
