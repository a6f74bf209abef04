"""Dataset readers on small files laid out the way each dataset is distributed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook
from scipy.io import savemat

from maclip.eval.datasets import DATASETS, DatasetError, load_dataset, load_table


def touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"img")


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "Sheet1") -> None:
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def names_and_scores(root: Path, name: str) -> tuple[list[str], list[float]]:
    data = load_dataset(name, root)
    return [p.relative_to(root).as_posix() for p in data.paths], data.scores


def test_koniq10k(tmp_path: Path) -> None:
    (tmp_path / "koniq10k_scores_and_distributions.csv").write_text(
        '"image_name","c1","c2","c3","c4","c5","c_total","MOS","SD","MOS_zscore"\n'
        '"10004473376.jpg",0,0,25,73,7,105,3.828571,0.527,77.38\n'
        '"10007357496.jpg",0,3,45,47,1,96,3.479167,0.592,68.79\n'
    )
    touch(tmp_path / "1024x768", "10004473376.jpg", "10007357496.jpg")
    names, scores = names_and_scores(tmp_path, "koniq10k")
    assert names == ["1024x768/10004473376.jpg", "1024x768/10007357496.jpg"]
    assert scores == pytest.approx([3.828571, 3.479167])
    assert DATASETS["koniq10k"].higher_is_better and DATASETS["koniq10k"].pre_resize is None


def test_spaq_spreadsheet_and_pre_resize(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / "Annotations" / "MOS and Image attribute scores.xlsx",
        [
            ["Image name", "MOS", "Brightness", "Colorfulness"],
            ["00001.jpg", 42.5, 50, 40],
            ["00002.jpg", 71.0, 60, 55],
        ],
    )
    touch(tmp_path / "TestImage", "00001.jpg", "00002.jpg")
    data = load_dataset("spaq", tmp_path)
    assert [p.name for p in data.paths] == ["00001.jpg", "00002.jpg"]
    assert data.scores == [42.5, 71.0]
    assert data.pre_resize == (448, 448)


def test_live_challenge_mat_files_skip_training_images(tmp_path: Path) -> None:
    names = np.empty((4, 1), dtype=object)
    names[:, 0] = ["t1.bmp", "t2.bmp", "10.JPG", "100.bmp"]
    (tmp_path / "Data").mkdir()
    savemat(tmp_path / "Data" / "AllImages_release.mat", {"AllImages_release": names})
    savemat(
        tmp_path / "Data" / "AllMOS_release.mat",
        {"AllMOS_release": np.array([[50.0, 60.0, 63.9, 25.3]])},
    )
    touch(
        tmp_path / "Images", "10.JPG", "100.bmp", "trainingImages/t1.bmp", "trainingImages/t2.bmp"
    )
    names_found, scores = names_and_scores(tmp_path, "livec")
    assert names_found == ["Images/10.JPG", "Images/100.bmp"]
    assert scores == pytest.approx([63.9, 25.3])


def test_kadid10k(tmp_path: Path) -> None:
    (tmp_path / "dmos.csv").write_text(
        "dist_img,ref_img,dmos,var\nI01_01_01.png,I01.png,4.57,0.496\nI01_01_02.png,I01.png,4.33,0.869\n"
    )
    touch(tmp_path / "images", "I01_01_01.png", "I01_01_02.png", "I01.png")
    names, scores = names_and_scores(tmp_path, "kadid10k")
    assert names == ["images/I01_01_01.png", "images/I01_01_02.png"]
    assert scores == [4.57, 4.33]
    assert DATASETS["kadid10k"].higher_is_better


def test_csiq_spreadsheet_with_title_rows_and_dmos(tmp_path: Path) -> None:
    write_xlsx(
        tmp_path / "csiq.DMOS.xlsx",
        [
            ["CSIQ subjective ratings"],
            [],
            ["image", "dst_idx", "dst_type", "dst_lev", "dmos_std", "dmos"],
            [1600, 1, "noise", 1, 0.03, 0.062],
            ["bridge", 3, "jpeg 2000", 5, 0.05, 0.801],
            ["bridge", 4, "f noise", 2, 0.04, 0.3],
        ],
        sheet="all_by_image",
    )
    touch(
        tmp_path / "dst_imgs",
        "awgn/1600.AWGN.1.png",
        "jpeg2000/bridge.jpeg2000.5.png",
        "fnoise/bridge.fnoise.2.png",
    )
    data = load_dataset("csiq", tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in data.paths] == [
        "dst_imgs/awgn/1600.AWGN.1.png",
        "dst_imgs/jpeg2000/bridge.jpeg2000.5.png",
        "dst_imgs/fnoise/bridge.fnoise.2.png",
    ]
    assert not data.higher_is_better
    assert data.oriented_scores == [-0.062, -0.801, -0.3]


def test_tid2013_names_match_whatever_the_case(tmp_path: Path) -> None:
    (tmp_path / "mos_with_names.txt").write_text("5.51429 i01_01_1.bmp\n4.20000 i25_24_5.bmp\n\n")
    touch(tmp_path / "distorted_images", "I01_01_1.BMP", "i25_24_5.bmp")
    names, scores = names_and_scores(tmp_path, "tid2013")
    assert names == ["distorted_images/I01_01_1.BMP", "distorted_images/i25_24_5.bmp"]
    assert scores == [5.51429, 4.2]


def test_pipal_label_folder(tmp_path: Path) -> None:
    (tmp_path / "Train_Label").mkdir()
    (tmp_path / "Train_Label" / "A0001.txt").write_text(
        "A0001_00_00.bmp,1462.19\nA0001_01_01.bmp,1390.5\n"
    )
    (tmp_path / "Train_Label" / "A0002.txt").write_text("A0002_10_03.bmp,1510.0\n")
    touch(tmp_path / "Train_Dis", "A0001_00_00.bmp", "A0001_01_01.bmp", "A0002_10_03.bmp")
    names, scores = names_and_scores(tmp_path, "pipal")
    assert names == [
        f"Train_Dis/{n}" for n in ("A0001_00_00.bmp", "A0001_01_01.bmp", "A0002_10_03.bmp")
    ]
    assert scores == [1462.19, 1390.5, 1510.0]


def test_agiqa1k_and_agiqa3k(tmp_path: Path) -> None:
    one = tmp_path / "agiqa1k"
    write_xlsx(
        one / "AIGC_MOS_Zscore.xlsx", [["Image", "Prompt", "MOS"], ["0_0_0.png", "a bird", 2.61]]
    )
    touch(one / "file", "0_0_0.png")
    data = load_dataset("agiqa1k", one)
    assert data.paths == [one / "file" / "0_0_0.png"] and data.scores == [2.61]
    assert data.pre_resize == (224, 224)
    three = tmp_path / "agiqa3k"
    three.mkdir()
    (three / "data.csv").write_text(
        "name,prompt,adj1,adj2,style,mos_quality,std_quality,mos_align,std_align\n"
        'AttnGAN_normal_000.jpg,"a cat, sitting",,,,1.64,0.84,1.77,0.79\n'
    )
    touch(three / "AGIQA-3K", "AttnGAN_normal_000.jpg")
    names, scores = names_and_scores(three, "agiqa-3k")
    assert names == ["AGIQA-3K/AttnGAN_normal_000.jpg"] and scores == [1.64]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".jsonl"])
def test_generic_tables(tmp_path: Path, suffix: str) -> None:
    touch(tmp_path / "pics", "a.png", "b.png")
    rows = [
        {"img_path": "pics/a.png", "gt_score": 3.5},
        {"img_path": "pics/b.png", "gt_score": 1.0},
    ]
    table = tmp_path / f"labels{suffix}"
    if suffix == ".json":
        table.write_text(json.dumps(rows))
    elif suffix == ".jsonl":
        table.write_text("\n".join(json.dumps(r) for r in rows))
    else:
        sep = "\t" if suffix == ".tsv" else ","
        table.write_text(
            f"img_path{sep}gt_score\n"
            + "".join(f"{r['img_path']}{sep}{r['gt_score']}\n" for r in rows)
        )
    data = load_table(table)
    assert data.paths == [tmp_path / "pics" / "a.png", tmp_path / "pics" / "b.png"]
    assert data.scores == [3.5, 1.0] and data.name == "labels"


def test_generic_table_with_named_columns_and_image_folder(tmp_path: Path) -> None:
    touch(tmp_path / "imgs", "x.jpg")
    table = tmp_path / "t.csv"
    table.write_text("file,quality,other\nx.jpg,0.25,1\n")
    data = load_table(
        table, images=tmp_path / "imgs", score_column="quality", higher_is_better=False
    )
    assert data.paths == [tmp_path / "imgs" / "x.jpg"] and data.oriented_scores == [-0.25]


def test_clear_messages(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"koniq10k_scores_and_distributions\.csv under"):
        load_dataset("koniq10k", tmp_path)
    with pytest.raises(DatasetError, match="is not a folder"):
        load_dataset("kadid10k", tmp_path / "nope")
    with pytest.raises(DatasetError, match="unknown dataset 'live'"):
        load_dataset("live", tmp_path)
    (tmp_path / "dmos.csv").write_text("image,score\na.png,1\n")
    with pytest.raises(
        DatasetError, match="no image column; expected one named dist_img, found image, score"
    ):
        load_dataset("kadid10k", tmp_path)
    (tmp_path / "dmos.csv").write_text("dist_img,dmos\na.png,1\nb.png,oops\n")
    touch(tmp_path / "images", "a.png", "b.png")
    with pytest.raises(DatasetError, match="row 3: score 'oops' is not a number"):
        load_dataset("kadid10k", tmp_path)
    (tmp_path / "dmos.csv").write_text("dist_img,dmos\na.png,1\nc.png,2\n")
    with pytest.raises(
        DatasetError,
        match=r"1 of 2 images listed in .*dmos\.csv are not in .*images \(e\.g\. c\.png\)",
    ):
        load_dataset("kadid10k", tmp_path)
    assert len(load_dataset("kadid10k", tmp_path, allow_missing=True)) == 1
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DatasetError, match="not valid json"):
        load_table(tmp_path / "bad.json")
