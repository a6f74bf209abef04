"""The HTTP API against a real uvicorn process on 127.0.0.1 (see ``conftest.server``)."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from PIL import Image

import maclip
from maclip import Scorer
from maclip.qualitymap import quality_map
from maclip.results import SCORE_FIELDS

from ..conftest import TinyModel, random_photo
from .conftest import MAX_IMAGES, MAX_PIXELS, MAX_UPLOAD_MB, Server

httpx = pytest.importorskip("httpx", reason="httpx is needed to call the service")
pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install .[serve]")


def encode(height: int, width: int, seed: int = 0, fmt: str = "PNG") -> bytes:
    """A random photo encoded as ``fmt``."""
    buffer = io.BytesIO()
    Image.fromarray(random_photo(height, width, seed)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` pixels but holds no pixel data (a bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def post(
    server: Server, endpoint: str, files: list[tuple[str, bytes]], **params: Any
) -> httpx.Response:
    """POST ``files`` as multipart (field ``files``) to ``endpoint`` with query ``params``."""
    parts = [("files", (name, data)) for name, data in files]
    return httpx.post(f"{server.url}{endpoint}", files=parts, params=params, timeout=60)


def assert_same_scores(served: dict[str, Any], expected: maclip.ImageResult) -> None:
    assert served["error"] is None
    for name in SCORE_FIELDS:
        assert served[name] == pytest.approx(getattr(expected, name), rel=1e-4, abs=1e-5), name
    assert served["pair_probs"] == pytest.approx(expected.pair_probs, rel=1e-4, abs=1e-5)
    assert served["views"] == expected.num_views
    assert (served["height"], served["width"]) == expected.size


def batching(server: Server) -> dict[str, Any]:
    return httpx.get(f"{server.url}/v1/info").json()["batching"]


def test_health_info_schema_and_page(server: Server) -> None:
    assert httpx.get(f"{server.url}/healthz").json() == {"status": "ok"}
    info = httpx.get(f"{server.url}/v1/info").json()
    assert info["version"] == maclip.__version__
    assert info["model"]["backbone"] == "TinyRN"
    assert info["model"]["weights"] == "TinyRN.pt"  # a name, not the server's folder
    assert info["device"] == "cpu"
    assert info["settings"]["method"] == "maclip"
    assert info["limits"] == {
        "max_upload_bytes": int(MAX_UPLOAD_MB * 2**20),
        "max_images": MAX_IMAGES,
        "max_pixels": MAX_PIXELS,
    }
    schema = httpx.get(f"{server.url}/openapi.json").json()
    assert {"/v1/score", "/v1/explain", "/v1/info", "/healthz"} <= set(schema["paths"])
    score_params = {p["name"] for p in schema["paths"]["/v1/score"]["post"]["parameters"]}
    assert {"method", "lam", "alpha", "b_sim", "b_mag"} <= score_params
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "http://" not in page.text and "https://" not in page.text  # nothing external


def test_score_matches_scorer(server: Server, rn_scorer: Scorer) -> None:
    images = [("a.png", encode(240, 300, 1)), ("b.jpg", encode(400, 260, 2, "JPEG"))]
    response = post(server, "/v1/score", images)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "TinyRN" and body["method"] == "maclip"
    expected = rn_scorer.score([data for _, data in images])
    assert [image["filename"] for image in body["images"]] == ["a.png", "b.jpg"]
    for served, result in zip(body["images"], expected, strict=True):
        assert_same_scores(served, result)
        assert served["timing"]["batch_images"] >= 1
        assert "view_scores" not in served
    with_views = post(server, "/v1/score", images[:1], views="true").json()["images"][0]
    assert len(with_views["view_scores"]) == expected[0].num_views


def test_raw_body_upload(server: Server, rn_scorer: Scorer) -> None:
    data = encode(230, 250, 3)
    response = httpx.post(
        f"{server.url}/v1/score",
        content=data,
        headers={"Content-Type": "image/png"},
        params={"filename": "raw.png"},
    )
    assert response.status_code == 200, response.text
    served = response.json()["images"][0]
    assert served["filename"] == "raw.png"
    assert_same_scores(served, rn_scorer.score(data)[0])


def test_per_request_parameters(server: Server, tiny_rn: TinyModel) -> None:
    data = encode(260, 260, 4)
    asks = [
        {"method": "clipiqa"},
        {"method": "magnitude", "lam": "0"},
        {"method": "maclip", "alpha": "2.5", "b_sim": "0.2", "b_mag": "0.9", "lam": "0.25"},
    ]
    with ThreadPoolExecutor(len(asks)) as pool:
        responses = list(
            pool.map(lambda p: post(server, "/v1/score", [("x.png", data)], **p), asks)
        )
    for ask, response in zip(asks, responses, strict=True):
        assert response.status_code == 200, response.text
        kwargs = {k: (v if k == "method" else float(v)) for k, v in ask.items()}
        expected = tiny_rn.scorer(**kwargs).score(data)[0]
        assert_same_scores(response.json()["images"][0], expected)
        assert response.json()["method"] == ask["method"]


def test_concurrent_requests_share_batches(server: Server) -> None:
    before = batching(server)
    images = [encode(224, 224, seed) for seed in range(6)]
    with ThreadPoolExecutor(len(images)) as pool:
        responses = list(
            pool.map(lambda i: post(server, "/v1/score", [(f"{i}.png", images[i])]), range(6))
        )
    assert all(r.status_code == 200 for r in responses)
    after = batching(server)
    assert after["images"] - before["images"] == 6
    assert after["batches"] - before["batches"] < 6  # some requests were scored together
    assert max(r.json()["images"][0]["timing"]["batch_images"] for r in responses) >= 2
    assert after["largest_batch"] >= 2


def test_explain_map_and_overlay(server: Server, rn_scorer: Scorer) -> None:
    data = encode(300, 420, 5)
    response = post(server, "/v1/explain", [("m.png", data)], overlay="true", field="q_sim")
    assert response.status_code == 200, response.text
    served = response.json()["images"][0]
    expected = rn_scorer.score(data)[0]
    assert_same_scores(served, expected)
    assert len(served["view_scores"]) == expected.num_views
    grid = served["quality_map"]
    assert grid["field"] == "q_sim"
    assert (grid["height"], grid["width"]) == expected.prepared_size
    reference = quality_map(expected, "q_sim")
    rows, cols = grid["row_edges"], grid["col_edges"]
    assert rows[0] == 0 and rows[-1] == 300 and cols[0] == 0 and cols[-1] == 420
    for i in range(len(rows) - 1):
        for j in range(len(cols) - 1):
            cell = reference[rows[i] : rows[i + 1], cols[j] : cols[j + 1]]
            np.testing.assert_allclose(cell, grid["values"][i][j], rtol=1e-4, atol=1e-5)
    prefix = "data:image/png;base64,"
    assert served["overlay_png"].startswith(prefix)
    overlay = Image.open(io.BytesIO(base64.b64decode(served["overlay_png"][len(prefix) :])))
    assert overlay.format == "PNG" and overlay.size == (420, 300)
    plain = post(server, "/v1/explain", [("m.png", data)]).json()["images"][0]
    assert "overlay_png" not in plain and plain["quality_map"]["field"] == "q"


def test_one_bad_image_keeps_the_good_ones(server: Server) -> None:
    response = post(server, "/v1/score", [("notes.txt", b"hello"), ("ok.png", encode(224, 230))])
    assert response.status_code == 200
    bad, good = response.json()["images"]
    assert bad["filename"] == "notes.txt" and "not an image" in bad["error"]
    assert bad["code"] == "not_an_image" and bad["q"] is None
    assert good["error"] is None and good["q"] is not None


def assert_refused(response: httpx.Response, status: int, code: str, *words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code
    for word in words:
        assert word in body["detail"]


def test_upload_too_large(server: Server) -> None:
    big = np.random.default_rng(0).bytes(int(MAX_UPLOAD_MB * 2**20) + 1000)
    assert_refused(post(server, "/v1/score", [("big.png", big)]), 413, "upload_too_large")

    def chunks():  # no Content-Length: the limit must hold while streaming
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    streamed = httpx.post(
        f"{server.url}/v1/score", content=chunks(), headers={"Content-Type": "image/png"}
    )
    assert_refused(streamed, 413, "upload_too_large", "limit")


def test_not_an_image_empty_and_truncated(server: Server) -> None:
    assert_refused(
        post(server, "/v1/score", [("notes.txt", b"just text")]),
        422,
        "not_an_image",
        "notes.txt",
        "not an image",
    )
    assert_refused(post(server, "/v1/score", [("zero.png", b"")]), 422, "empty_image", "zero.png")
    jpeg = encode(300, 300, 6, "JPEG")
    assert_refused(
        post(server, "/v1/explain", [("cut.jpg", jpeg[: len(jpeg) // 2])]),
        422,
        "corrupt_image",
        "cut.jpg",
        "truncated",
    )


def test_too_many_pixels(server: Server) -> None:
    over = io.BytesIO()
    Image.new("RGB", (1100, 1000)).save(over, format="PNG")  # 1.1 MP, a few kB
    assert_refused(
        post(server, "/v1/score", [("wide.png", over.getvalue())]),
        413,
        "too_many_pixels",
        "wide.png",
        "1100x1000",
    )
    bomb = png_header_only(30000, 30000)
    assert_refused(post(server, "/v1/score", [("bomb.png", bomb)]), 413, "too_many_pixels")


def test_too_many_images(server: Server) -> None:
    files = [(f"{i}.png", encode(224, 224, i)) for i in range(MAX_IMAGES + 1)]
    assert_refused(post(server, "/v1/score", files), 413, "too_many_images", str(MAX_IMAGES))


@pytest.mark.parametrize(
    ("endpoint", "params", "code"),
    [
        ("/v1/score", {"method": "best"}, "bad_parameter"),
        ("/v1/score", {"lam": "abc"}, "bad_parameter"),
        ("/v1/score", {"alpha": "inf"}, "bad_parameter"),
        ("/v1/score", {"views": "maybe"}, "bad_parameter"),
        ("/v1/score", {"overlay": "true"}, "unknown_parameter"),
        ("/v1/score", {"path": "/etc/passwd"}, "unknown_parameter"),
        ("/v1/explain", {"field": "q_best"}, "bad_parameter"),
    ],
)
def test_bad_parameters(server: Server, endpoint: str, params: dict[str, str], code: str) -> None:
    response = post(server, endpoint, [("ok.png", encode(224, 224))], **params)
    assert_refused(response, 422, code, next(iter(params)))


def test_form_fields_are_parameters(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/v1/score",
        files=[("image", ("ok.png", encode(224, 224)))],
        data={"method": "clipiqa"},
    )
    assert response.status_code == 200 and response.json()["method"] == "clipiqa"
    bad = httpx.post(
        f"{server.url}/v1/score",
        files=[("image", ("ok.png", encode(224, 224)))],
        data={"path": "/etc/hostname"},
    )
    assert_refused(bad, 422, "unknown_parameter", "path")


def test_names_are_labels_never_paths(server: Server, rn_scorer: Scorer) -> None:
    data = encode(224, 240, 7)
    response = post(server, "/v1/score", [("/etc/hostname", data)])
    assert response.status_code == 200
    served = response.json()["images"][0]
    assert served["filename"] == "/etc/hostname"
    assert_same_scores(served, rn_scorer.score(data)[0])  # the uploaded bytes were scored


def test_wrong_body(server: Server) -> None:
    wrong = httpx.post(f"{server.url}/v1/score", json={"path": "/tmp/a.png"})
    assert_refused(wrong, 415, "unsupported_media_type", "multipart/form-data")
    assert_refused(httpx.post(f"{server.url}/v1/score"), 422, "no_image")
    form_without_files = httpx.post(f"{server.url}/v1/score", files={"method": (None, "maclip")})
    assert_refused(form_without_files, 422, "no_image")
    no_boundary = httpx.post(
        f"{server.url}/v1/score", content=b"x", headers={"Content-Type": "multipart/form-data"}
    )
    assert_refused(no_boundary, 422, "bad_multipart", "boundary")
