"""Readers for the standard IQA datasets, in the form their authors distribute them.

Each dataset is a :class:`DatasetSpec` in :data:`DATASETS`: where its label
file and images live under the root folder, how to read the labels, whether
higher scores mean better quality, and the view settings the paper uses for it
(SPAQ and AGIQA-1K are resized before cutting views). :func:`load_dataset`
turns a name and a root folder into a :class:`Dataset` of image paths and
subjective scores; :func:`load_table` reads any CSV/TSV/JSON/JSON Lines/XLSX
table with an image column and a score column. Every problem (a missing file,
column or image) raises :class:`DatasetError` with a message saying what was
expected where.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class DatasetError(ValueError):
    """A dataset that cannot be read as expected; the message names the file and the cause."""


@dataclass(frozen=True)
class Dataset:
    """Images with subjective scores.

    Attributes:
        name: Registry name (or the table's file stem).
        title: Display name, e.g. ``"KonIQ-10k"``.
        paths: Image files, in label-file order.
        scores: Subjective score of each image (MOS, DMOS, Elo, ... as distributed).
        higher_is_better: Whether a higher subjective score means better quality.
        pre_resize: ``(height, width)`` the paper resizes to before cutting views, or ``None``.
    """

    name: str
    title: str
    paths: list[Path]
    scores: list[float]
    higher_is_better: bool = True
    pre_resize: tuple[int, int] | None = None

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def oriented_scores(self) -> list[float]:
        """Scores with the sign flipped when lower is better, so higher is always better."""
        return self.scores if self.higher_is_better else [-s for s in self.scores]


# -- reading label files --------------------------------------------------------------------


def find_file(root: Path, candidates: Sequence[str], what: str) -> Path:
    """The first of ``candidates`` (paths relative to ``root``) that exists."""
    for name in candidates:
        if (root / name).is_file():
            return root / name
    raise DatasetError(
        f"{what}: expected {' or '.join(candidates)} under {root}, found none"
        + ("" if root.is_dir() else f" ({root} is not a folder)")
    )


def _cell_text(value: Any) -> str:
    """Text of a table cell; whole-number floats (spreadsheets) lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _read_xlsx(path: Path, header_hint: Sequence[str], sheet: str | None) -> list[dict[str, Any]]:
    """Rows of a spreadsheet; the header is the first row holding one of ``header_hint``."""
    try:
        from openpyxl import load_workbook
    except ImportError as err:
        raise DatasetError(
            f"{path}: reading .xlsx needs openpyxl: pip install 'maclip[eval]'"
        ) from err
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - zip/xml errors of many kinds
        raise DatasetError(f"{path}: not a readable .xlsx file ({err})") from err
    try:
        names = [sheet] if sheet in book.sheetnames else book.sheetnames
        hints = {h.lower() for h in header_hint}
        for name in names:
            rows = list(book[name].iter_rows(values_only=True))
            for i, row in enumerate(rows[:30]):
                header = [_cell_text(c) for c in row]
                if hints & {h.lower() for h in header}:
                    return [
                        {h: v for h, v in zip(header, values, strict=False) if h}
                        for values in rows[i + 1 :]
                        if any(v is not None for v in values)
                    ]
    finally:
        book.close()
    raise DatasetError(f"{path}: no header row with a column named {' or '.join(header_hint)}")


def read_rows(
    path: Path, header_hint: Sequence[str] = (), sheet: str | None = None
) -> list[dict[str, Any]]:
    """Rows of a CSV, TSV, JSON (a list of objects), JSON Lines or XLSX file, as dicts."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, header_hint, sheet)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise DatasetError(f"{path}: cannot read ({err})") from err
    try:
        if suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif suffix == ".json":
            rows = json.loads(text)
            if isinstance(rows, dict):  # {"files": [...]} or {"name": score}
                lists = [v for v in rows.values() if isinstance(v, list)]
                rows = (
                    lists[0]
                    if len(lists) == 1
                    else [{"image": k, "score": v} for k, v in rows.items()]
                )
        else:
            dialect = "excel-tab" if suffix == ".tsv" or "\t" in text.split("\n", 1)[0] else "excel"
            rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
    except (json.JSONDecodeError, csv.Error) as err:
        raise DatasetError(f"{path}: not valid {suffix.lstrip('.') or 'CSV'} ({err})") from err
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DatasetError(f"{path}: expected a list of records (objects / rows with a header)")
    return rows


def pick_column(
    rows: list[dict[str, Any]], candidates: Sequence[str], what: str, path: Path
) -> str:
    """The first of ``candidates`` present in the rows' header (case-insensitive)."""
    if not rows:
        raise DatasetError(f"{path}: no rows")
    header = {str(k).strip().lower(): k for k in rows[0]}
    for name in candidates:
        if name.lower() in header:
            return str(header[name.lower()])
    raise DatasetError(
        f"{path}: no {what} column; expected one named {' or '.join(candidates)}, "
        f"found {', '.join(map(str, rows[0])) or 'none'}"
    )


def _score(value: Any, path: Path, line: int) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as err:
        raise DatasetError(f"{path}: row {line}: score {value!r} is not a number") from err


def labelled_rows(
    path: Path, image_columns: Sequence[str], score_columns: Sequence[str], sheet: str | None = None
) -> list[tuple[str, float]]:
    """``(image name, score)`` pairs from a table with the first matching columns."""
    rows = read_rows(path, [*image_columns, *score_columns], sheet)
    image = pick_column(rows, image_columns, "image", path)
    score = pick_column(rows, score_columns, "score", path)
    return [
        (_cell_text(row[image]), _score(row[score], path, i + 2))
        for i, row in enumerate(rows)
        if _cell_text(row.get(image))
    ]


# -- finding images -------------------------------------------------------------------------


class ImageIndex:
    """Finds listed images under a folder, forgiving case and sub-folders.

    A name is looked up as a path relative to the folder, then case-insensitively
    (TID2013 mixes ``I01`` and ``i01``), then by its file name alone anywhere below.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._by_path: dict[str, Path] = {}
        self._by_name: dict[str, list[Path]] = {}
        for dirpath, _, files in os.walk(folder):
            for file in files:
                full = Path(dirpath) / file
                self._by_path[full.relative_to(folder).as_posix().lower()] = full
                self._by_name.setdefault(file.lower(), []).append(full)

    def find(self, name: str) -> Path | None:
        """The file for ``name`` (relative path or bare file name), or ``None``."""
        exact = self.folder / name
        if exact.is_file():
            return exact
        key = name.replace("\\", "/").lower()
        if key in self._by_path:
            return self._by_path[key]
        matches = self._by_name.get(key.rsplit("/", 1)[-1], [])
        return matches[0] if len(matches) == 1 else None


def resolve_images(
    pairs: list[tuple[str, float]], folder: Path, label_file: Path, allow_missing: bool = False
) -> tuple[list[Path], list[float]]:
    """Map listed names to files under ``folder``; missing ones are an error unless allowed."""
    if not folder.is_dir():
        raise DatasetError(f"{label_file} lists images, but their folder {folder} does not exist")
    index = ImageIndex(folder)
    paths: list[Path] = []
    scores: list[float] = []
    missing: list[str] = []
    for name, score in pairs:
        found = index.find(name)
        if found is None:
            missing.append(name)
        else:
            paths.append(found)
            scores.append(score)
    if missing and (not allow_missing or not paths):
        raise DatasetError(
            f"{len(missing)} of {len(pairs)} images listed in {label_file} are not in {folder} "
            f"(e.g. {', '.join(missing[:3])})"
            + ("" if allow_missing else "; --allow-missing evaluates the others")
        )
    return paths, scores


# -- the datasets ---------------------------------------------------------------------------

Reader = Callable[[Path], tuple[Path, list[tuple[str, float]]]]


@dataclass(frozen=True)
class DatasetSpec:
    """How one dataset is distributed and evaluated.

    Attributes:
        name: Registry key (``maclip-pytorch eval --dataset NAME``).
        title: Display name.
        read: ``root -> (label file, [(image name, score), ...])``.
        image_dirs: Candidate image folders under the root, first existing wins.
        higher_is_better: Whether higher subjective scores mean better quality.
        pre_resize: ``(height, width)`` resize before cutting views (the paper's protocol).
        layout: What the reader expects under the root, for messages and the README.
    """

    name: str
    title: str
    read: Reader
    image_dirs: tuple[str, ...]
    higher_is_better: bool = True
    pre_resize: tuple[int, int] | None = None
    layout: str = ""

    def load(self, root: str | os.PathLike, allow_missing: bool = False) -> Dataset:
        """Read the labels under ``root`` and find every listed image."""
        base = Path(root).expanduser()
        if not base.is_dir():
            raise DatasetError(
                f"{self.title}: root {base} is not a folder (expected {self.layout})"
            )
        label_file, pairs = self.read(base)
        if not pairs:
            raise DatasetError(f"{label_file}: no labelled images")
        folder = next((base / d for d in self.image_dirs if (base / d).is_dir()), base)
        paths, scores = resolve_images(pairs, folder, label_file, allow_missing)
        return Dataset(self.name, self.title, paths, scores, self.higher_is_better, self.pre_resize)


def _table_reader(
    files: Sequence[str], images: Sequence[str], scores: Sequence[str], sheet: str | None = None
) -> Reader:
    def read(root: Path) -> tuple[Path, list[tuple[str, float]]]:
        path = find_file(root, files, "label file")
        return path, labelled_rows(path, images, scores, sheet)

    return read


def _read_live_challenge(root: Path) -> tuple[Path, list[tuple[str, float]]]:
    """AllImages_release.mat / AllMOS_release.mat, without the 7 training images t1-t7.bmp."""
    from scipy.io import loadmat  # scipy: part of the eval extra

    names_file = find_file(
        root, ["Data/AllImages_release.mat", "AllImages_release.mat"], "image list"
    )
    mos_file = find_file(root, ["Data/AllMOS_release.mat", "AllMOS_release.mat"], "MOS file")

    def variable(path: Path, key: str) -> Any:
        try:
            data = loadmat(str(path))
        except Exception as err:  # noqa: BLE001 - scipy raises several kinds
            raise DatasetError(f"{path}: not a readable MATLAB file ({err})") from err
        if key not in data:
            raise DatasetError(f"{path}: no variable {key!r}")
        return data[key]

    names = [str(cell.ravel()[0]) for cell in variable(names_file, "AllImages_release").ravel()]
    mos = [float(v) for v in variable(mos_file, "AllMOS_release").ravel()]
    if len(names) != len(mos):
        raise DatasetError(
            f"{names_file} lists {len(names)} images but {mos_file} {len(mos)} scores"
        )
    training = re.compile(r"t\d+\.bmp", re.IGNORECASE)
    return mos_file, [(n, m) for n, m in zip(names, mos, strict=True) if not training.fullmatch(n)]


def _read_tid2013(root: Path) -> tuple[Path, list[tuple[str, float]]]:
    """mos_with_names.txt: one ``MOS name`` pair per line."""
    path = find_file(root, ["mos_with_names.txt"], "TID2013 labels")
    pairs = []
    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if line.strip():
            parts = line.split()
            if len(parts) != 2:
                raise DatasetError(f"{path}: line {i + 1}: expected 'MOS name', got {line!r}")
            pairs.append((parts[1], _score(parts[0], path, i + 1)))
    return path, pairs


#: CSIQ dst_type (csiq.DMOS.xlsx) -> file name tag: dst_imgs/<tag>/<image>.<TAG>.<level>.png.
CSIQ_TAGS = {
    "noise": "awgn",
    "awgn": "awgn",
    "jpeg": "jpeg",
    "jpeg 2000": "jpeg2000",
    "jpeg2000": "jpeg2000",
    "f noise": "fnoise",
    "fnoise": "fnoise",
    "blur": "blur",
    "contrast": "contrast",
}


def _read_csiq(root: Path) -> tuple[Path, list[tuple[str, float]]]:
    """csiq.DMOS.xlsx, sheet all_by_image: image, dst_type, dst_lev, dmos."""
    path = find_file(root, ["csiq.DMOS.xlsx", "csiq_dmos.xlsx"], "CSIQ labels")
    rows = read_rows(path, ["dst_type"], sheet="all_by_image")
    columns = {c: pick_column(rows, [c], c, path) for c in ("image", "dst_type", "dst_lev", "dmos")}
    pairs = []
    for i, row in enumerate(rows):
        image, kind = _cell_text(row[columns["image"]]), _cell_text(row[columns["dst_type"]])
        if not image:
            continue
        tag = CSIQ_TAGS.get(kind.lower())
        if tag is None:
            raise DatasetError(f"{path}: row {i + 2}: unknown dst_type {kind!r}")
        name = f"{image}.{tag}.{_cell_text(row[columns['dst_lev']])}.png"
        pairs.append((name, _score(row[columns["dmos"]], path, i + 2)))
    return path, pairs


def _read_pipal(root: Path) -> tuple[Path, list[tuple[str, float]]]:
    """Train_Label/*.txt: lines ``distorted_name,elo`` (one file per reference image)."""
    folder = next((root / d for d in ("Train_Label", "Label") if (root / d).is_dir()), None)
    if folder is None:
        raise DatasetError(
            f"PIPAL labels: expected a Train_Label folder of .txt files under {root}"
        )
    pairs = []
    for path in sorted(folder.glob("*.txt")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            if line.strip():
                name, _, value = line.partition(",")
                pairs.append((name.strip(), _score(value, path, i + 1)))
    return folder, pairs


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            "koniq10k",
            "KonIQ-10k",
            _table_reader(["koniq10k_scores_and_distributions.csv"], ["image_name"], ["MOS"]),
            ("1024x768",),
            layout="koniq10k_scores_and_distributions.csv (image_name, MOS) and 1024x768/",
        ),
        DatasetSpec(
            "spaq",
            "SPAQ",
            _table_reader(
                [
                    "Annotations/MOS and Image attribute scores.xlsx",
                    "MOS and Image attribute scores.xlsx",
                ],
                ["Image name"],
                ["MOS"],
            ),
            ("TestImage",),
            pre_resize=(448, 448),
            layout="Annotations/MOS and Image attribute scores.xlsx (Image name, MOS) and "
            "TestImage/",
        ),
        DatasetSpec(
            "livec",
            "LIVE Challenge",
            _read_live_challenge,
            ("Images",),
            layout="Data/AllImages_release.mat, Data/AllMOS_release.mat and Images/",
        ),
        DatasetSpec(
            "kadid10k",
            "KADID-10k",
            _table_reader(["dmos.csv"], ["dist_img"], ["dmos"]),
            ("images",),
            layout="dmos.csv (dist_img, dmos) and images/",
        ),
        DatasetSpec(
            "csiq",
            "CSIQ",
            _read_csiq,
            ("dst_imgs",),
            higher_is_better=False,
            layout="csiq.DMOS.xlsx (sheet all_by_image: image, dst_type, dst_lev, dmos) and "
            "dst_imgs/",
        ),
        DatasetSpec(
            "tid2013",
            "TID2013",
            _read_tid2013,
            ("distorted_images",),
            layout="mos_with_names.txt ('MOS name' lines) and distorted_images/",
        ),
        DatasetSpec(
            "pipal",
            "PIPAL",
            _read_pipal,
            ("Train_Dis", "Distortion"),
            layout="Train_Label/*.txt ('name,elo' lines) and the distorted images (Train_Dis/ or "
            "Distortion_*/)",
        ),
        DatasetSpec(
            "agiqa1k",
            "AGIQA-1K",
            _table_reader(["AIGC_MOS_Zscore.xlsx", "AIGC_MOS_Zscore.csv"], ["Image"], ["MOS"]),
            ("file", "images"),
            pre_resize=(224, 224),
            layout="AIGC_MOS_Zscore.xlsx (Image, MOS) and file/",
        ),
        DatasetSpec(
            "agiqa3k",
            "AGIQA-3K",
            _table_reader(["data.csv"], ["name"], ["mos_quality"]),
            ("AGIQA-3K", "images", "image"),
            layout="data.csv (name, mos_quality) and the images (AGIQA-3K/ or images/)",
        ),
    )
}

#: Column names tried, in order, when a generic table does not name its columns.
IMAGE_COLUMNS = ("img_path", "image", "image_name", "path", "file", "filename", "name")
SCORE_COLUMNS = ("gt_score", "mos", "score", "dmos", "mos_quality", "label")


def load_table(
    table: str | os.PathLike,
    images: str | os.PathLike | None = None,
    image_column: str | None = None,
    score_column: str | None = None,
    higher_is_better: bool = True,
    pre_resize: tuple[int, int] | None = None,
    allow_missing: bool = False,
) -> Dataset:
    """A dataset from any table of image paths and scores.

    Args:
        table: CSV, TSV, JSON (``[{"img_path": ..., "gt_score": ...}, ...]``), JSON Lines
            or XLSX file.
        images: Folder the image paths are relative to (default: the table's folder).
        image_column, score_column: Column names (default: the first of
            :data:`IMAGE_COLUMNS` / :data:`SCORE_COLUMNS` present).
        higher_is_better: Whether a higher score means better quality.
        pre_resize: Resize before cutting views.
        allow_missing: Evaluate the images found when some are missing.
    """
    path = Path(table).expanduser()
    if not path.is_file():
        raise DatasetError(f"table {path} does not exist (expected a CSV/TSV/JSON/JSONL/XLSX file)")
    pairs = labelled_rows(
        path,
        [image_column] if image_column else IMAGE_COLUMNS,
        [score_column] if score_column else SCORE_COLUMNS,
    )
    if not pairs:
        raise DatasetError(f"{path}: no labelled images")
    folder = Path(images).expanduser() if images else path.parent
    found, scores = resolve_images(pairs, folder, path, allow_missing)
    return Dataset(path.stem, path.stem, found, scores, higher_is_better, pre_resize)


def load_dataset(name: str, root: str | os.PathLike, allow_missing: bool = False) -> Dataset:
    """Read registered dataset ``name`` (see :data:`DATASETS`) from its folder ``root``."""
    spec = DATASETS.get(name.lower().replace("-", ""))
    if spec is None:
        raise DatasetError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}, or table")
    return spec.load(root, allow_missing)


__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetError",
    "DatasetSpec",
    "load_dataset",
    "load_table",
]
