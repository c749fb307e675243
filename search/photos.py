"""Decoding of product photos for the embedding workers: anything on disk in, 8-bit RGB out.

Uploads were checked by catalog.images.check_image, but files on disk can still be truncated,
replaced or huge, so every failure here becomes a PhotoDecodeError that says why.
"""

import io
import os
import warnings
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from catalog.images import OPEN_FORMATS, read_limited

# Photos decode with at least this many pixels on their shorter side, and not many more: twice
# what any encoder looks at (224), so that its own resize loses nothing, while a 12-megapixel
# camera photo costs about 2 MB, not 36 (a batch of them must not exhaust a worker's memory).
DECODE_SIZE = 448
# Modes with more than 8 bits per sample (16-bit PNGs); these are rescaled by their value range.
_WIDE_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
# Catalogue photos sit on white, so transparent areas become white rather than black.
_BACKGROUND = (255, 255, 255)


class PhotoDecodeError(Exception):
    """A photo that cannot be decoded into an RGB image; the message says why."""


def load_photo(
    source: str | os.PathLike | bytes | BinaryIO,
    *,
    max_pixels: int,
    target_size: int = DECODE_SIZE,
) -> Image.Image:
    """Decode a photo (its first frame, if animated) into a loaded, upright 8-bit RGB image,
    reduced towards target_size on its shorter side (never below it, never enlarged).

    Only JPEG, PNG, WebP and GIF are opened, and the pixel count is checked from the header
    before anything is decoded. A JPEG decodes at a reduced scale (draft mode), so a large one
    never exists at full size in memory; other formats are reduced right after decoding.
    """
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        with warnings.catch_warnings():
            # Pillow only warns about bombs below twice its limit; refuse those too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source, formats=OPEN_FORMATS) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise PhotoDecodeError(
                        f"the image has {width * height} pixels ({width}×{height}); "
                        f"the limit is {max_pixels}"
                    )
                image.draft("RGB", (target_size, target_size))  # JPEG only; others: no-op
                image.load()
                return _reduce(_to_rgb(ImageOps.exif_transpose(image)), target_size)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow checks its own cap inside Image.open, before ours can run.
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS)
        raise PhotoDecodeError(
            f"the image has more than {Image.MAX_IMAGE_PIXELS} pixels; the limit is {limit}"
        ) from None
    except UnidentifiedImageError:
        raise PhotoDecodeError("not an image (JPEG, PNG, WebP or GIF)") from None
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as error:
        raise PhotoDecodeError(f"the file cannot be read ({error.strerror})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise PhotoDecodeError(f"the image is truncated or corrupt ({error})") from None


def _reduce(image: Image.Image, target_size: int) -> Image.Image:
    # By a whole factor (a fast box filter), keeping the shorter side at least target_size.
    factor = min(image.size) // target_size
    return image.reduce(factor) if factor >= 2 else image


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in _WIDE_MODES:
        return _scale_to_8_bit(image).convert("RGB")
    if "A" in image.getbands() or "transparency" in image.info:
        # convert("RGBA") also turns palette or colour-key transparency into an alpha band.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (*_BACKGROUND, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _scale_to_8_bit(image: Image.Image) -> Image.Image:
    """Stretch the actual value range to 0..255: clipping would turn most 16-bit photos white."""
    floats = image.convert("F")
    low, high = floats.getextrema()
    # A flat image has no range to stretch; it comes out black.
    scale = 255 / (high - low) if high > low else 0.0
    return floats.point(lambda value: value * scale - low * scale).convert("L")


def decode_query_photo(upload) -> Image.Image:
    """A shopper's uploaded query photo, within the upload limits, decoded once and small.
    Raises django's ValidationError saying what is wrong with it."""
    content = read_limited(upload)
    try:
        return load_photo(content, max_pixels=settings.VITRINE_MAX_IMAGE_PIXELS)
    except PhotoDecodeError as error:
        raise ValidationError(f"The photo cannot be read: {error}.") from None
