"""Decoding: modes, EXIF, limits and one clear error per bad input."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import png
import pytest
import tifffile
import torch
from PIL import Image, ImageOps

from maclip.images import ImageError, load_image, orient

from .conftest import random_photo, save_photo


def encoded(image: Image.Image, fmt: str = "PNG", **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def test_rgb_file_round_trip(tmp_path: Path) -> None:
    array = random_photo(40, 60)
    path = tmp_path / "a.png"
    Image.fromarray(array).save(path)
    image = load_image(path)
    assert image.shape == (3, 40, 60) and image.dtype == torch.float32
    np.testing.assert_allclose(image.permute(1, 2, 0).numpy() * 255, array, atol=1e-3)


def test_grayscale_is_replicated() -> None:
    gray = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16))
    image = load_image(encoded(gray))
    assert image.shape == (3, 16, 16)
    torch.testing.assert_close(image[0], image[2])
    assert image[0, 15, 15].item() == pytest.approx(1.0)


def test_sixteen_bit_keeps_precision() -> None:
    values = np.array([[0, 1000, 65535, 32768]], dtype=np.uint16)
    png = encoded(Image.fromarray(values))
    image = load_image(png)
    np.testing.assert_allclose(image[0, 0].numpy(), values[0] / 65535.0, atol=1e-6)


def test_palette_and_transparency_composite_on_white() -> None:
    rgba = np.zeros((8, 8, 4), dtype=np.uint8)
    rgba[..., 0] = 255  # red
    rgba[:4, ..., 3] = 0  # top half fully transparent
    rgba[4:, ..., 3] = 255
    image = load_image(encoded(Image.fromarray(rgba, "RGBA")))
    torch.testing.assert_close(image[:, 0, 0], torch.ones(3))  # white where transparent
    torch.testing.assert_close(image[:, 7, 0], torch.tensor([1.0, 0.0, 0.0]))
    palette = Image.fromarray(random_photo(8, 8)).convert("P")
    assert load_image(encoded(palette)).shape == (3, 8, 8)
    la = Image.fromarray(np.full((4, 4, 2), 128, dtype=np.uint8), "LA")
    assert load_image(encoded(la)).shape == (3, 4, 4)


def test_cmyk_jpeg_converts() -> None:
    cmyk = Image.fromarray(random_photo(16, 16)).convert("CMYK")
    image = load_image(encoded(cmyk, "JPEG"))
    assert image.shape == (3, 16, 16) and image.min() >= 0 and image.max() <= 1


def test_exif_orientation_is_applied() -> None:
    base = Image.fromarray(random_photo(20, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image = load_image(encoded(base, "JPEG", exif=exif.tobytes()))
    assert image.shape == (3, 40, 20)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"this is not an image at all", "not an image"),
        (encoded(Image.fromarray(random_photo(64, 64)), "JPEG")[:300], "truncated"),
    ],
)
def test_bad_bytes_raise_one_clear_error(content: bytes, reason: str) -> None:
    with pytest.raises(ImageError, match=reason) as info:
        load_image(content)
    assert str(info.value).startswith("<bytes>: ")


def test_bad_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file") as info:
        load_image(tmp_path / "missing.jpg")
    assert str(tmp_path / "missing.jpg") in str(info.value)
    (tmp_path / "zero.jpg").write_bytes(b"")
    with pytest.raises(ImageError, match="empty file"):
        load_image(tmp_path / "zero.jpg")
    with pytest.raises(ImageError, match="is a directory"):
        load_image(tmp_path)


def test_pixel_limit_is_a_decompression_bomb_guard(tmp_path: Path) -> None:
    path = save_photo(tmp_path / "big.png", 100, 100)
    with pytest.raises(ImageError, match="over the limit of 5000.*max-pixels"):
        load_image(path, max_pixels=5000)
    assert load_image(path, max_pixels=10_000).shape == (3, 100, 100)


def test_numpy_inputs() -> None:
    array = random_photo(10, 12)
    as_uint8 = load_image(array)
    torch.testing.assert_close(load_image(array.astype(np.float32) / 255.0), as_uint8)
    torch.testing.assert_close(
        load_image(array.astype(np.uint16) * 257), as_uint8, atol=1e-6, rtol=0
    )
    assert load_image(array[..., 0]).shape == (3, 10, 12)
    with pytest.raises(ImageError, match=r"\[0, 1\]"):
        load_image(array.astype(np.float32))
    with pytest.raises(ImageError, match="dtype"):
        load_image(array.astype(np.int64))
    with pytest.raises(ImageError, match="not an image"):
        load_image(np.zeros((4, 4, 5), dtype=np.uint8))


def test_tensor_inputs() -> None:
    tensor = torch.rand(3, 8, 9)
    assert load_image(tensor) is not tensor
    torch.testing.assert_close(load_image(tensor), tensor)
    with pytest.raises(ImageError, match=r"\(3, H, W\)"):
        load_image(torch.rand(1, 8, 9))
    with pytest.raises(ImageError, match=r"\[0, 1\]"):
        load_image(tensor * 2)
    with pytest.raises(ImageError, match="NaN"):
        load_image(torch.full((3, 2, 2), float("nan")))


def sixteen_bit(height: int, width: int, planes: int, seed: int = 0) -> np.ndarray:
    """Random 16-bit samples, most of them not multiples of 257 (so 8 bits cannot hold them)."""
    return np.random.default_rng(seed).integers(0, 65536, (height, width, planes), np.uint16)


def png16(samples: np.ndarray) -> bytes:
    height, width, planes = samples.shape
    writer = png.Writer(width, height, greyscale=planes < 3, alpha=planes in (2, 4), bitdepth=16)
    buffer = io.BytesIO()
    writer.write(buffer, samples.reshape(height, width * planes))
    return buffer.getvalue()


def tiff16(samples: np.ndarray, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, samples, **kwargs)  # type: ignore[arg-type]
    return buffer.getvalue()


def on_white(samples: np.ndarray, premultiplied: bool = False) -> np.ndarray:
    """What composited-on-white 16-bit samples with alpha last should decode to, (H, W, 3)."""
    scaled = samples.astype(np.float64) / 65535.0
    colour, alpha = scaled[..., :-1], scaled[..., -1:]
    out = (colour if premultiplied else colour * alpha) + 1.0 - alpha
    return np.broadcast_to(np.clip(out, 0, 1), (*samples.shape[:2], 3))


def as_hwc(image: torch.Tensor) -> np.ndarray:
    return image.permute(1, 2, 0).numpy().astype(np.float64)


@pytest.mark.parametrize("planes", [1, 3])
def test_sixteen_bit_png_keeps_every_bit(planes: int) -> None:
    samples = sixteen_bit(6, 9, planes)
    expected = np.broadcast_to(samples / 65535.0, (6, 9, 3))
    np.testing.assert_allclose(as_hwc(load_image(png16(samples))), expected, atol=1e-6)


@pytest.mark.parametrize("planes", [2, 4])
def test_sixteen_bit_png_alpha_is_composited_at_full_depth(planes: int) -> None:
    samples = sixteen_bit(5, 7, planes, seed=1)
    np.testing.assert_allclose(as_hwc(load_image(png16(samples))), on_white(samples), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"photometric": "rgb"},
        {"photometric": "rgb", "compression": "zlib"},
        {"photometric": "rgb", "compression": "lzw"},
        {"photometric": "rgb", "planarconfig": "separate"},
    ],
    ids=["raw", "deflate", "lzw", "planar"],
)
def test_sixteen_bit_rgb_tiff_keeps_every_bit(kwargs: dict[str, object], tmp_path: Path) -> None:
    samples = sixteen_bit(6, 9, 3, seed=2)
    stored = np.moveaxis(samples, 2, 0) if "planarconfig" in kwargs else samples
    path = tmp_path / "deep.tif"
    path.write_bytes(tiff16(stored, **kwargs))
    np.testing.assert_allclose(as_hwc(load_image(path)), samples / 65535.0, atol=1e-6)


@pytest.mark.parametrize("premultiplied", [False, True])
def test_sixteen_bit_tiff_alpha(premultiplied: bool) -> None:
    samples = sixteen_bit(4, 5, 4, seed=3)
    if premultiplied:  # associated alpha: colour already multiplied by alpha
        samples[..., :3] = (samples[..., :3] * (samples[..., 3:] / 65535.0)).astype(np.uint16)
    kind = "assocalpha" if premultiplied else "unassalpha"
    data = tiff16(samples, photometric="rgb", extrasamples=[kind])
    expected = on_white(samples, premultiplied)
    np.testing.assert_allclose(as_hwc(load_image(data)), expected, atol=1e-6)


def test_sixteen_bit_gray_tiff_matches_pillows_reading() -> None:
    samples = sixteen_bit(6, 9, 1, seed=4)[..., 0]
    data = tiff16(samples, photometric="minisblack")
    np.testing.assert_allclose(
        as_hwc(load_image(data)), as_hwc(load_image(Image.open(io.BytesIO(data)))), atol=0
    )


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orient_turns_arrays_as_pillow_turns_images(orientation: int) -> None:
    array = random_photo(5, 8, orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = Image.fromarray(array)
    image.info["exif"] = exif.tobytes()
    expected = np.asarray(ImageOps.exif_transpose(image))
    np.testing.assert_array_equal(orient(array, orientation), expected)


def test_sixteen_bit_tiff_orientation_is_applied() -> None:
    samples = sixteen_bit(4, 6, 3, seed=5)
    data = tiff16(samples, photometric="rgb", extratags=[(274, "H", 1, 6, True)])
    image = load_image(data)
    assert image.shape == (3, 6, 4)  # orientation 6: turned a quarter clockwise
    np.testing.assert_allclose(as_hwc(image), np.rot90(samples, -1) / 65535.0, atol=1e-6)


def test_corrupt_sixteen_bit_png_is_one_clear_error() -> None:
    data = png16(sixteen_bit(8, 8, 3))
    idat = data.index(b"IDAT") + 4
    broken = data[:idat] + bytes(len(data) - idat)  # zeroed pixel data and chunks after it
    with pytest.raises(ImageError, match="^<bytes>: .*16-bit PNG"):
        load_image(broken)
