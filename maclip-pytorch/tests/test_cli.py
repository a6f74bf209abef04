"""`maclip-pytorch score` and `models` end to end, every bad-input case, and --resume."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from maclip import cli
from maclip.scorer import Scorer

from .conftest import TinyModel, random_photo, save_photo


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "photos"
    (root / "sub").mkdir(parents=True)
    save_photo(root / "a.jpg", 300, 400, 1)
    save_photo(root / "b.png", 240, 260, 2)
    save_photo(root / "sub" / "c.webp", 230, 230, 3)
    (root / "notes.txt.bak").write_text("not an image, skipped when scanning")
    return root


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_score_folder_table(folder: Path, tiny_rn: TinyModel, capsys) -> None:
    code, out, err = run(["score", str(folder), *tiny_rn.cli_args()], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["path", "Q", "Q_sim", "Q_mag"]
    assert len(lines) == 3 and "c.webp" not in out  # no -r: top level only
    assert "scored 2 of 2 images" in err


def test_recursive_glob_and_list_inputs(folder: Path, tiny_rn: TinyModel, capsys) -> None:
    out_file = folder.parent / "r.csv"
    code, _, _ = run(["score", str(folder), "-r", "-o", str(out_file), *tiny_rn.cli_args()], capsys)
    rows = list(csv.DictReader(out_file.open()))
    assert code == 0 and [Path(r["path"]).name for r in rows] == ["a.jpg", "b.png", "c.webp"]
    assert all(float(r["q"]) > 0 and r["error"] == "" for r in rows)

    code, out, _ = run(
        ["score", f"{folder}/**/*.webp", "--format", "jsonl", *tiny_rn.cli_args()], capsys
    )
    assert code == 0 and [Path(r["path"]).name for r in map(json.loads, out.splitlines())] == [
        "c.webp"
    ]

    listing = folder / "list.txt"
    listing.write_text("# my picks\nb.png\n\nsub/c.webp\n")
    code, out, _ = run(["score", str(listing), "--format", "json", *tiny_rn.cli_args()], capsys)
    records = json.loads(out)
    assert code == 0 and [Path(r["path"]).name for r in records] == ["b.png", "c.webp"]
    assert set(records[0]) >= {"q", "q_sim", "q_mag", "w_sim", "w_mag", "pair_probs", "views"}

    code, _, err = run(["score", f"{folder}/*.gif", *tiny_rn.cli_args()], capsys)
    assert code == 2 and "no image files match" in err


def test_cli_scores_match_the_python_api(folder: Path, tiny_rn: TinyModel, capsys) -> None:
    args = ["--method", "maclip", "--lam", "0", "--alpha", "2", "--b-sim", "0.5", "--b-mag", "1"]
    code, out, _ = run(
        ["score", str(folder / "a.jpg"), "--format", "jsonl", *args, *tiny_rn.cli_args()], capsys
    )
    record = json.loads(out)
    expected = tiny_rn.scorer(lam=0, alpha=2, b_sim=0.5, b_mag=1).score(folder / "a.jpg")[0]
    assert code == 0 and record["q"] == pytest.approx(expected.q, abs=1e-6)


def encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def make_inputs(root: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """Files a user meets: good ones in awkward forms, and broken ones."""
    root.mkdir()
    photo = Image.fromarray(random_photo(300, 260, 9))
    exif = Image.Exif()
    exif[0x0112] = 8
    jpeg = encode(photo, "JPEG")
    good = {
        "cmyk.jpg": encode(photo.convert("CMYK"), "JPEG"),
        "gray.png": encode(photo.convert("L"), "PNG"),
        "palette.png": encode(photo.convert("P"), "PNG"),
        "alpha.png": encode(photo.convert("RGBA"), "PNG"),
        "deep.png": encode(Image.fromarray(np.asarray(photo.convert("L"), np.uint16) * 257), "PNG"),
        "rotated.jpg": encode(photo, "JPEG", exif=exif.tobytes()),
        "tiny.png": encode(photo.resize((40, 30)), "PNG"),
    }
    png = encode(photo, "PNG")
    bad = {
        "corrupt.jpg": jpeg[:20] + bytes(200) + jpeg[220:],
        "truncated.jpg": jpeg[: len(jpeg) * 2 // 3],
        "empty.png": b"",
        "text.jpg": b"hello, I am not a picture",
        "short-ihdr.png": png[:8] + (12).to_bytes(4, "big") + png[12:],  # IHDR length 13 -> 12
        "bad-size.ppm": b"P6\n260 ab\n255\n" + bytes(300 * 260 * 3),
    }
    files = {}
    for name, data in {**good, **bad}.items():
        (root / name).write_bytes(data)
        files[name] = root / name
    return {k: files[k] for k in good}, {k: files[k] for k in bad}


def test_every_bad_input_is_reported_and_the_rest_scored(
    tmp_path: Path, tiny_rn: TinyModel, capsys
) -> None:
    good, bad = make_inputs(tmp_path / "mixed")
    out_file = tmp_path / "out.jsonl"
    big = save_photo(tmp_path / "mixed" / "huge.png", 400, 400)
    code, _, err = run(
        [
            "score",
            str(tmp_path / "mixed"),
            "-o",
            str(out_file),
            "--max-pixels",
            "150000",
            *tiny_rn.cli_args(),
        ],
        capsys,
    )
    assert code == 1
    records = {Path(r["path"]).name: r for r in read_jsonl(out_file)}
    assert set(records) == {*good, *bad, big.name}
    for name in good:
        assert records[name]["error"] is None and records[name]["q"] > 0, name
    for name in [*bad, big.name]:
        assert records[name]["error"] and records[name]["q"] is None, name
        assert f"error: {tmp_path / 'mixed' / name}: " in err, name
    assert "Traceback" not in err
    assert "decompression-bomb" in records[big.name]["error"]
    assert "empty" in records["empty.png"]["error"]
    assert "truncated" in records["truncated.jpg"]["error"]
    assert "corrupt image header" in records["short-ihdr.png"]["error"]
    assert "corrupt image header" in records["bad-size.ppm"]["error"]
    assert records["rotated.jpg"]["height"] == 260 and records["rotated.jpg"]["width"] == 300
    assert records["tiny.png"]["prepared_height"] == 224 and records["tiny.png"]["views"] == 2
    assert "scored 7 of 14 images; 7 failed" in err


def test_thin_image_is_refused_on_its_prepared_size(
    tmp_path: Path, tiny_rn: TinyModel, capsys
) -> None:
    """A 1x20000 PNG would become 224x4480000 pixels: refused from its header, others scored."""
    Image.fromarray(np.zeros((20000, 1), np.uint8)).save(tmp_path / "thin.png")
    save_photo(tmp_path / "ok.png", 230, 240)
    out_file = tmp_path / "out.jsonl"
    code, _, err = run(["score", str(tmp_path), "-o", str(out_file), *tiny_rn.cli_args()], capsys)
    records = {Path(r["path"]).name: r for r in read_jsonl(out_file)}
    assert code == 1 and records["ok.png"]["q"] > 0 and records["thin.png"]["q"] is None
    reason = (
        "prepared size 224x4480000 = 1003520000 pixels is over the limit of 89478485 "
        "(the image is upscaled so its short side is 224); raise it with --max-pixels"
    )
    assert records["thin.png"]["error"] == reason
    assert f"error: {tmp_path / 'thin.png'}: {reason}\n" in err
    assert "scored 1 of 2 images; 1 failed" in err and "Traceback" not in err
    code, _, err = run(
        ["score", str(tmp_path / "ok.png"), "--pre-resize", "300x400", "--max-pixels", "100000"]
        + tiny_rn.cli_args(),
        capsys,
    )
    assert code == 1 and "prepared size 400x300 = 120000 pixels" in err
    assert "(the pre-resize to 300x400)" in err


def test_missing_file_is_a_per_file_error(tmp_path: Path, tiny_rn: TinyModel, capsys) -> None:
    good = save_photo(tmp_path / "ok.png", 224, 224)
    code, out, err = run(
        ["score", str(good), str(tmp_path / "gone.jpg"), *tiny_rn.cli_args()], capsys
    )
    assert code == 1 and "gone.jpg: no such file" in err and "ok.png" in out


def test_resume_after_an_interrupted_run(
    folder: Path, tiny_rn: TinyModel, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    for seed in range(5):
        save_photo(folder / f"extra{seed}.png", 230, 250, 10 + seed)
    (folder / "broken.jpg").write_bytes(b"nope")
    out_file = folder.parent / "scores.jsonl"
    args = ["score", str(folder), "-r", "-o", str(out_file), *tiny_rn.cli_args()]

    real_iter_score = Scorer.iter_score

    def interrupted(self: Scorer, sources):  # type: ignore[no-untyped-def]
        for index, result in enumerate(real_iter_score(self, sources)):
            if index == 4:
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(Scorer, "iter_score", interrupted)
    code, _, _ = run(args, capsys)
    assert code == 130
    first = read_jsonl(out_file)
    assert len(first) == 4
    with out_file.open("a") as handle:  # a write torn by the interruption
        handle.write('{"path": "half-writ')
    monkeypatch.setattr(Scorer, "iter_score", real_iter_score)

    scored: list[str] = []

    def counting(self: Scorer, sources):  # type: ignore[no-untyped-def]
        sources = list(sources)
        scored.extend(sources)
        yield from real_iter_score(self, sources)

    monkeypatch.setattr(Scorer, "iter_score", counting)
    code, _, err = run([*args, "--resume"], capsys)
    assert code == 1  # broken.jpg still fails
    final = read_jsonl(out_file)
    keys = [r["path"] for r in final]
    assert len(keys) == len(set(keys)) == 9  # 3 + 5 extra + broken, each once
    assert not set(scored) & {r["path"] for r in first if not r["error"]}
    assert "resuming" in err

    scored.clear()  # a second resume retries only the failed image
    code, _, _ = run([*args, "--resume"], capsys)
    assert code == 1 and [Path(p).name for p in scored] == ["broken.jpg"]
    assert len(read_jsonl(out_file)) == 9


def test_resume_needs_jsonl(folder: Path, tiny_rn: TinyModel, capsys) -> None:
    code, _, err = run(
        ["score", str(folder), "--resume", "-o", str(folder / "x.csv"), *tiny_rn.cli_args()], capsys
    )
    assert code == 2 and "--resume needs a JSON Lines output" in err


def test_model_errors_are_one_line(tmp_path: Path, folder: Path, capsys) -> None:
    code, _, err = run(["score", str(folder), "--backbone", "NoSuchNet"], capsys)
    assert code == 2 and err.startswith("maclip-pytorch: error: unknown backbone")
    code, _, err = run(["score", str(folder), "--checkpoint", str(tmp_path / "x.pt")], capsys)
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_views_option_and_view_settings(folder: Path, tiny_rn: TinyModel, capsys) -> None:
    code, out, _ = run(
        [
            "score",
            str(folder / "a.jpg"),
            "--format",
            "json",
            "--views",
            "--pre-resize",
            "448",
            "--no-global",
            *tiny_rn.cli_args(),
        ],
        capsys,
    )
    record = json.loads(out)[0]
    assert code == 0 and record["views"] == 4 and len(record["view_scores"]) == 4
    assert not any(v["is_global"] for v in record["view_scores"])
    code, _, err = run(["score", str(folder), "--pre-resize", "4x4x4", *tiny_rn.cli_args()], capsys)
    assert code == 2 and "HxW" in err


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [
        ("score", "--lam", "nan"),
        ("score", "--alpha", "inf"),
        ("score", "--b-sim", "-inf"),
        ("score", "--b-mag", "NaN"),
        ("sweep", "--alpha", "1,inf"),
    ],
)
def test_non_finite_parameters_are_usage_errors(
    folder: Path, command: str, option: str, value: str, capsys
) -> None:
    code, out, err = run([command, str(folder), f"{option}={value}"], capsys)
    assert code == 2 and out == ""
    assert f"argument {option}: '{value}' is not a " in err and "finite number" in err


def test_models_lists_backbones(capsys) -> None:
    code, out, _ = run(["models", "--pretrained-only"], capsys)
    assert code == 0 and out.splitlines()[0].startswith("backbone")
    rn50 = next(line for line in out.splitlines() if line.split()[0] == "RN50")
    assert "resnet" in rn50 and "openai" in rn50


def test_symlink_loops_are_entered_once(tmp_path: Path, tiny_rn: TinyModel, capsys) -> None:
    root, outside = tmp_path / "photos", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    save_photo(root / "a.png", 224, 224, 1)
    save_photo(root / "sub" / "b.png", 224, 224, 2)
    save_photo(outside / "c.png", 224, 224, 3)
    (root / "sub" / "up").symlink_to(root)  # two loops
    (root / "sub" / "again").symlink_to(root / "sub")
    (root / "link").symlink_to(outside)  # a folder link is followed, once
    (root / "sub" / "link").symlink_to(outside)
    for arguments in (
        [str(root), "-r"],
        [f"{root}/**/*.png"],
        [str(root / "a.png"), str(root / "sub" / "up" / "a.png"), str(root / "link" / "c.png")],
    ):
        code, out, err = run(
            ["score", *arguments, "--format", "jsonl", *tiny_rn.cli_args()], capsys
        )
        names = sorted(Path(r["path"]).name for r in map(json.loads, out.splitlines()))
        expected = ["a.png", "c.png"] if len(arguments) == 3 else ["a.png", "b.png", "c.png"]
        assert code == 0 and names == expected, (arguments, err)


def test_file_names_that_are_not_utf8(tmp_path: Path, tiny_rn: TinyModel, capsys) -> None:
    raw = b"caf\xe9.png"  # Latin-1, not UTF-8
    save_photo(tmp_path / os.fsdecode(raw), 224, 224)
    (tmp_path / os.fsdecode(b"gone-\xff.png")).write_bytes(b"not an image")
    for suffix in ("csv", "jsonl", "json"):
        out_file = tmp_path / f"scores.{suffix}"
        code, _, err = run(
            ["score", str(tmp_path), "-o", str(out_file), *tiny_rn.cli_args()], capsys
        )
        assert code == 1 and "Traceback" not in err and "gone-" in err
        data = out_file.read_bytes()
        if suffix == "csv":  # the file's own bytes, so the path names the file
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8", "surrogateescape"))))
            paths = [row["path"] for row in rows]
        else:  # JSON escapes them (\udce9)
            records = json.loads(data) if suffix == "json" else read_jsonl(out_file)
            paths = [record["path"] for record in records]
        assert Path(paths[0]).exists() and os.fsencode(paths[0]).endswith(raw), suffix


def test_unusable_outputs_and_folders_are_one_line_errors(
    folder: Path, tiny_rn: TinyModel, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    for extra in ([], ["--resume"]):
        code, out, err = run(
            ["score", str(folder), "-o", str(folder), *extra, *tiny_rn.cli_args()], capsys
        )
        assert code == 2 and out == ""
        assert err == f"maclip-pytorch: error: {folder}: is a folder; -o needs a file, " + (
            f"e.g. -o {folder}/scores.csv\n"
        )

    locked = folder / "sub"
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(real):  # type: ignore[no-untyped-def]
        def call(path=".", *args):  # type: ignore[no-untyped-def]
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *args)

        return call

    monkeypatch.setattr(os, "scandir", refuse(real_scandir))
    monkeypatch.setattr(os, "listdir", refuse(real_listdir))
    for arguments in ([str(locked)], [str(folder), "-r"]):
        code, out, err = run(["score", *arguments, *tiny_rn.cli_args()], capsys)
        assert code == 2 and out == ""
        assert (
            err == f"maclip-pytorch: error: {locked}: cannot read this folder (Permission denied)\n"
        )


def test_explain_refuses_an_unknown_figure_suffix(folder: Path, tiny_rn: TinyModel, capsys) -> None:
    figure = folder.parent / "map.xyz"
    code, out, err = run(
        ["explain", str(folder / "a.jpg"), "-o", str(figure), *tiny_rn.cli_args()], capsys
    )
    assert code == 2 and out == "" and not figure.exists()
    assert err.startswith(f"maclip-pytorch: error: {figure}: unknown figure format .xyz; ")
    assert ".png" in err and err.count("\n") == 1
    code, out, _ = run(
        ["explain", str(folder / "a.jpg"), "-o", str(figure.with_suffix(".png"))]
        + tiny_rn.cli_args(),
        capsys,
    )
    assert code == 0 and figure.with_suffix(".png").stat().st_size > 0


def test_resume_matches_the_real_path(
    folder: Path, tiny_rn: TinyModel, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder.parent)
    out_file = folder.parent / "scores.jsonl"
    code, _, _ = run(["score", "photos", "-o", "scores.jsonl", *tiny_rn.cli_args()], capsys)
    assert code == 0 and [r["path"] for r in read_jsonl(out_file)] == [
        "photos/a.jpg",
        "photos/b.png",
    ]
    save_photo(folder / "d.png", 230, 230, 4)
    code, _, err = run(
        ["score", str(folder.resolve()), "-o", "scores.jsonl", "--resume", *tiny_rn.cli_args()],
        capsys,
    )
    paths = [r["path"] for r in read_jsonl(out_file)]
    assert code == 0 and "resuming: 2 images already scored" in err
    assert paths == ["photos/a.jpg", "photos/b.png", str(folder.resolve() / "d.png")]


def test_unreachable_hub_fails_fast_with_one_message(
    folder: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cached weights and no network: one clear error at once, each warning shown once."""
    import logging
    import warnings

    import open_clip
    from huggingface_hub import constants

    from maclip import backbone

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(backbone, "hub_reachable", lambda url: False)
    offline_during_load = []
    warning = f"cannot reach the hub ({folder})"  # unique: "once" is once per process

    def loader(name: str, pretrained: str, cache_dir: str | None = None) -> None:
        offline_during_load.append(constants.HF_HUB_OFFLINE)
        for _ in range(2):  # open_clip tries two file names, each warning alike
            warnings.warn(warning, UserWarning, stacklevel=1)
            logging.getLogger("huggingface_hub.file_download").warning("retrying %s", name)
        raise RuntimeError("file not in the local cache")

    monkeypatch.setattr(open_clip, "create_model", loader)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        code = cli.main(["score", str(folder)])
    out, err = capfd.readouterr()
    assert code == 2 and out == "" and offline_during_load == [True]
    assert err.startswith("maclip-pytorch: error: weights for backbone 'RN50', pretrained tag ")
    assert "cannot be reached" in err and "--checkpoint PATH" in err and err.count("\n") == 1
    assert [str(w.message) for w in shown] == [warning]
    assert "retrying" not in err  # the hub's log records need -v
    assert constants.HF_HUB_OFFLINE is False
