"""Decoding images into RGB tensors, with one clear error per bad input.

Every accepted input becomes a ``(3, H, W)`` float32 tensor in ``[0, 1]``:

* files and bytes are decoded with Pillow, EXIF orientation is applied, and the
  decompression-bomb guard stays on (``max_pixels``);
* grayscale, palette, CMYK, 16-bit and float modes are converted to RGB with
  their full range mapped to ``[0, 1]``; transparency is composited onto white;
* 16-bit PNG and TIFF files keep their 16 bits in every colour type (Pillow would cut
  RGB to 8 bits): their header's bit depth sends them to a pure reader instead
  (``pypng`` for PNG, ``tifffile`` for TIFF), see :func:`read_sixteen_bit`;
* numpy arrays may be ``(H, W)``, ``(H, W, 1|3|4)`` uint8/uint16 or float in [0, 1];
* tensors may be ``(3, H, W)`` float in [0, 1].

Failures raise :class:`ImageError`, which names the source and a one-line cause.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import warnings
from pathlib import Path

import numpy as np
import png
import tifffile
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from .views import ViewConfig, prepared_size

ImageSource = str | os.PathLike | bytes | Image.Image | np.ndarray | torch.Tensor

#: Default pixel limit: Pillow's own decompression-bomb threshold (about 89 megapixels).
DEFAULT_MAX_PIXELS: int = int(Image.MAX_IMAGE_PIXELS or 89_478_485)

#: What Pillow raises on a malformed header or pixel stream (besides ``OSError``); its own
#: format probing treats the same errors as "not this format".
_MALFORMED = (SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)

#: File name extensions treated as images when scanning directories.
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".ppm", ".pgm", ".pnm"}
)


class ImageError(ValueError):
    """An input that cannot be scored. ``str(err)`` is ``"<source>: <reason>"``."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


def describe(source: ImageSource) -> str:
    """A short name for an input, used as its key in results and errors."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    if isinstance(source, Image.Image):
        return getattr(source, "filename", "") or "<PIL image>"
    if isinstance(source, bytes):
        return "<bytes>"
    if isinstance(source, np.ndarray):
        return "<array>"
    return "<tensor>"


def _allow_pixels(max_pixels: int) -> None:
    """Let Pillow open images up to ``max_pixels``; its guard stays on above that."""
    current = Image.MAX_IMAGE_PIXELS
    if current is not None and max_pixels > current:
        Image.MAX_IMAGE_PIXELS = max_pixels


def check_pixel_limit(
    name: str, height: int, width: int, max_pixels: int, views: ViewConfig | None = None
) -> None:
    """Refuse an image whose size, or whose size once prepared, is over ``max_pixels``.

    Files are checked on their header's size, before any pixel is decoded. The
    prepared size (:func:`maclip.views.prepared_size`: after the pre-resize, the cap on
    the longer side and the upscale of the short side to ``views.min_side``) can be far
    larger than the file: a 1x20000 image becomes 224x4480000.
    """
    pixels = height * width
    if pixels > max_pixels:
        raise ImageError(
            name,
            f"{width}x{height} = {pixels} pixels is over the limit of {max_pixels} "
            "(decompression-bomb guard); raise it with --max-pixels / max_pixels=",
        )
    if views is None:
        return
    prepared_height, prepared_width = prepared_size(height, width, views)
    prepared = prepared_height * prepared_width
    if prepared > max_pixels:
        base = views.pre_resize or (height, width)
        why = (
            f"the image is upscaled so its short side is {views.min_side}"
            if min(base) < views.min_side
            else f"the pre-resize to {base[0]}x{base[1]}"
        )
        raise ImageError(
            name,
            f"prepared size {prepared_width}x{prepared_height} = {prepared} pixels is over "
            f"the limit of {max_pixels} ({why}); raise it with --max-pixels",
        )


def _open(
    source: str | os.PathLike | bytes, name: str, max_pixels: int, views: ViewConfig | None
) -> Image.Image:
    """Open the header only (no pixels decoded) and check the pixel limits on its size."""
    if isinstance(source, bytes):
        if not source:
            raise ImageError(name, "empty input (0 bytes)")
        stream: io.BytesIO | str | os.PathLike = io.BytesIO(source)
    else:
        path = Path(source)
        if not path.exists():
            raise ImageError(name, "no such file")
        if path.is_dir():
            raise ImageError(name, "is a directory (use -r to score its images)")
        if path.stat().st_size == 0:
            raise ImageError(name, "empty file (0 bytes)")
        stream = source
    _allow_pixels(max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream)
    except Image.DecompressionBombError as err:
        raise ImageError(
            name, f"too many pixels ({err}); raise the limit with --max-pixels"
        ) from err
    except UnidentifiedImageError as err:
        raise ImageError(name, "not an image Pillow can read (unknown or corrupt format)") from err
    except OSError as err:
        raise ImageError(name, f"corrupt or truncated file ({err})") from err
    except _MALFORMED as err:  # e.g. a PNG's short IHDR, a PPM's unreadable size line
        raise ImageError(name, f"corrupt image header ({err})") from err
    try:
        check_pixel_limit(name, image.height, image.width, max_pixels, views)
    except ImageError:
        image.close()
        raise
    return image


def _decode_opened(
    image: Image.Image, source: str | os.PathLike | bytes, name: str
) -> torch.Tensor:
    """The pixels of an image :func:`_open` checked, 16-bit PNG and TIFF at full depth."""
    deep = read_sixteen_bit(image, source, name)
    if deep is not None:
        return deep
    try:
        image.load()
    except (OSError, *_MALFORMED) as err:
        raise ImageError(name, f"corrupt or truncated image data ({err})") from err
    return pil_to_tensor(image, name)


def _png_bit_depth(source: str | os.PathLike | bytes) -> int:
    """The bit depth byte of a PNG's IHDR chunk (the first chunk, at offset 24)."""
    if isinstance(source, bytes):
        head = source[:26]
    else:
        with open(source, "rb") as stream:
            head = stream.read(26)
    return head[24] if len(head) == 26 and head[12:16] == b"IHDR" else 0


def _is_sixteen_bit(image: Image.Image, source: str | os.PathLike | bytes) -> bool:
    """True for a PNG whose IHDR says 16 bits, or an unsigned 16-bit gray or RGB TIFF."""
    if image.format == "PNG":
        return _png_bit_depth(source) == 16
    if image.format == "TIFF":
        tags = image.tag_v2  # type: ignore[attr-defined]

        def values(tag: int, default: int) -> set[object]:
            value = tags.get(tag, default)
            return set(value) if isinstance(value, tuple) else {value}

        # BitsPerSample 16, SampleFormat unsigned, PhotometricInterpretation gray or RGB
        return values(258, 0) == {16} and values(339, 1) == {1} and tags.get(262) in (1, 2)
    return False


#: A 16-bit reader's result: ``(H, W, planes)`` uint16 samples, whether the last plane
#: is alpha, and whether that alpha is premultiplied into the colour planes.
Samples = tuple[np.ndarray, bool, bool]


def _read_png16(source: str | os.PathLike | bytes) -> Samples:
    """The samples of a 16-bit PNG (raw: no sBIT shift, and tRNS ignored as for 8 bits)."""
    reader = png.Reader(bytes=source) if isinstance(source, bytes) else png.Reader(filename=source)
    width, height, rows, info = reader.read()
    array = np.vstack([np.asarray(row, dtype=np.uint16) for row in rows])
    return array.reshape(height, width, int(info["planes"])), bool(info["alpha"]), False


def _read_tiff16(source: str | os.PathLike | bytes, colour: int) -> Samples:
    """The samples of a 16-bit TIFF's first page with ``colour`` (1 or 3) colour planes."""
    stream: io.BytesIO | str | os.PathLike = (
        io.BytesIO(source) if isinstance(source, bytes) else source
    )
    with tifffile.TiffFile(stream) as tiff:
        page = tiff.pages[0]
        array = np.asarray(page.asarray())
        axes = str(page.axes)
        extra = tuple(getattr(page, "extrasamples", ()) or ())
    if "S" in axes:
        array = np.moveaxis(array, axes.index("S"), -1)
    if array.ndim == 2:
        array = array[..., None]
    alpha = extra[:1] in ((1,), (2,))  # ExtraSamples: 1 associated, 2 unassociated alpha
    return array[..., : colour + int(alpha)], alpha, extra[:1] == (1,)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) from the header; 1 when absent or unreadable."""
    if image.format == "PNG" and "exif" not in image.info:
        return 1  # PNG's getexif() would decode the pixels to look for a late eXIf chunk
    try:
        value = int(image.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block should not lose the pixels
        return 1
    return value if 1 <= value <= 8 else 1


def orient(array: np.ndarray, orientation: int) -> np.ndarray:
    """An ``(H, W, ...)`` array turned upright as EXIF ``orientation`` asks (as Pillow does)."""
    turns = {1: 0, 2: 0, 3: 2, 4: 2, 5: 1, 6: 3, 7: 3, 8: 1}[orientation]
    if orientation in (2, 4, 5, 7):
        array = array[:, ::-1]
    return np.rot90(array, turns)


def read_sixteen_bit(
    image: Image.Image, source: str | os.PathLike | bytes, name: str
) -> torch.Tensor | None:
    """Full-depth pixels of a 16-bit PNG or TIFF, or ``None`` for any other image.

    ``image`` is the Pillow image opened on ``source`` (header only). Samples are
    divided by 65535; alpha is composited on white (a premultiplied TIFF alpha
    as ``rgb + 1 - alpha``); the EXIF orientation is applied.
    """
    if not _is_sixteen_bit(image, source):
        return None
    try:
        if image.format == "PNG":
            array, alpha, premultiplied = _read_png16(source)
        else:
            colour = 3 if image.tag_v2.get(262) == 2 else 1  # type: ignore[attr-defined]
            array, alpha, premultiplied = _read_tiff16(source, colour)
    except Exception as err:  # the readers' own errors, zlib's and missing codecs alike
        raise ImageError(name, f"cannot decode 16-bit {image.format} ({err})") from err
    scaled = array.astype(np.float32) / 65535.0
    if alpha:  # composited on white
        colour_part, cover = scaled[..., :-1], scaled[..., -1:]
        if not premultiplied:
            colour_part = colour_part * cover
        scaled = np.clip(colour_part + (1.0 - cover), 0.0, 1.0)
    return _array_to_tensor(orient(scaled, _orientation(image)), name)


def _composite_on_white(image: Image.Image) -> Image.Image:
    rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def pil_to_tensor(image: Image.Image, name: str = "<PIL image>") -> torch.Tensor:
    """Convert a decoded PIL image of any common mode to ``(3, H, W)`` float in [0, 1].

    EXIF orientation is applied. 16-bit and 32-bit integer modes keep their
    precision; float (``F``) images are taken as already in [0, 1] and clipped.
    """
    with contextlib.suppress(Exception):  # a broken EXIF block should not lose the pixels
        image = ImageOps.exif_transpose(image)
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        array = np.asarray(image).astype(np.float32)
        scale = 65535.0 if mode.startswith("I;16") or array.max(initial=0) > 255 else 255.0
        return _array_to_tensor(np.clip(array / scale, 0.0, 1.0), name)
    if mode == "F":
        return _array_to_tensor(np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0), name)
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        mode == "P" and "transparency" in image.info
    )
    rgb = _composite_on_white(image) if has_alpha else image.convert("RGB")
    array = np.asarray(rgb, dtype=np.float32) / 255.0
    return _array_to_tensor(array, name)


def _array_to_tensor(array: np.ndarray, name: str) -> torch.Tensor:
    """``(H, W)`` or ``(H, W, C)`` float array in [0, 1] to ``(3, H, W)`` tensor."""
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
        raise ImageError(name, f"array of shape {array.shape} is not an image (H, W[, 1|3|4])")
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    elif array.shape[2] == 4:
        rgb, alpha = array[..., :3], array[..., 3:]
        array = rgb * alpha + (1.0 - alpha)
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32)).permute(2, 0, 1)


def _from_numpy(array: np.ndarray, name: str) -> torch.Tensor:
    if array.dtype == np.uint8:
        scaled = array.astype(np.float32) / 255.0
    elif array.dtype == np.uint16:
        scaled = array.astype(np.float32) / 65535.0
    elif np.issubdtype(array.dtype, np.floating):
        if array.size and (np.nanmin(array) < 0.0 or np.nanmax(array) > 1.0):
            raise ImageError(name, "float array values must lie in [0, 1]")
        scaled = array.astype(np.float32)
    else:
        raise ImageError(
            name, f"unsupported array dtype {array.dtype} (use uint8, uint16 or float)"
        )
    if not np.isfinite(scaled).all():
        raise ImageError(name, "array contains NaN or infinite values")
    return _array_to_tensor(scaled, name)


def _from_tensor(tensor: torch.Tensor, name: str) -> torch.Tensor:
    if tensor.ndim != 3 or tensor.shape[0] != 3:
        raise ImageError(name, f"tensor of shape {tuple(tensor.shape)} is not (3, H, W)")
    image = tensor.detach().to("cpu", torch.float32)
    if not torch.isfinite(image).all():
        raise ImageError(name, "tensor contains NaN or infinite values")
    if image.numel() and (image.min() < 0.0 or image.max() > 1.0):
        raise ImageError(name, "tensor values must lie in [0, 1]")
    return image


def load_image(
    source: ImageSource, max_pixels: int = DEFAULT_MAX_PIXELS, views: ViewConfig | None = None
) -> torch.Tensor:
    """Decode any supported input to a ``(3, H, W)`` float32 tensor in [0, 1].

    Args:
        source: A path, encoded bytes, a PIL image, a numpy array or a tensor.
        max_pixels: Refuse images with more pixels than this (decompression bombs).
        views: When given, also refuse images whose size once prepared for these
            views is over ``max_pixels`` (see :func:`check_pixel_limit`); files are
            checked on their header, before decoding.

    Raises:
        ImageError: naming the source and the reason it cannot be used.
    """
    name = describe(source)
    if isinstance(source, torch.Tensor):
        image = _from_tensor(source, name)
    elif isinstance(source, np.ndarray):
        image = _from_numpy(source, name)
    elif isinstance(source, Image.Image):
        image = pil_to_tensor(source, name)
    elif isinstance(source, (str, os.PathLike, bytes)):
        pil = _open(source, name, max_pixels, views)
        try:
            image = _decode_opened(pil, source, name)
        except (OSError, *_MALFORMED) as err:
            if isinstance(err, ImageError):
                raise
            raise ImageError(name, f"cannot decode pixels ({err})") from err
        finally:
            pil.close()
    else:
        raise ImageError(name, f"unsupported input type {type(source).__name__}")
    if image.shape[-1] < 1 or image.shape[-2] < 1:
        raise ImageError(name, "image has no pixels")
    if not isinstance(source, (str, os.PathLike, bytes)):  # files were checked on the header
        check_pixel_limit(name, image.shape[-2], image.shape[-1], max_pixels, views)
    return image
