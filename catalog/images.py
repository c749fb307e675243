"""Validation of product photos: every upload path (page, API, import) goes through check_image."""

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> stored file extension.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# What Image.open may try: only these formats' parsers ever see an uploaded file.
OPEN_FORMATS = tuple(ALLOWED_FORMATS)
NOT_AN_IMAGE = "The file is not an image (JPEG, PNG, WebP or GIF)."
# Grids and cards show photos at most about 230 CSS pixels wide: twice that for dense screens.
THUMBNAIL_BOX = (480, 480)
THUMBNAIL_QUALITY = 80
# A photo re-encoded to drop its metadata keeps nearly all its detail.
STRIPPED_QUALITY = 95
# Image.info keys of metadata that may say who, where and with what a photo was taken.
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")


@dataclass(frozen=True)
class CheckedImage:
    """A photo that decoded fully within the limits, with what we learned reading it."""

    content: bytes
    format: str
    width: int
    height: int
    sha256: str

    @property
    def extension(self) -> str:
        return ALLOWED_FORMATS[self.format]


def check_image(source: bytes | BinaryIO) -> CheckedImage:
    """Read and fully decode a photo, or raise ValidationError saying why it is refused.

    Checks, in order: byte size, that it is an image of an allowed format, the pixel count
    (from the header, before any decoding: a decompression bomb never gets decoded), and a
    full decode (a truncated or corrupt file fails here).
    """
    content = read_limited(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=OPEN_FORMATS) as image:
                image_format, (width, height) = image.format, image.size
                _check_format_and_pixels(image_format, width, height)
                # A JPEG decodes at the scale of its thumbnail: every byte is still read (a
                # truncated file fails), but a camera photo costs a few MB, not a hundred.
                image.draft("RGB", THUMBNAIL_BOX)
                image.load()
            content, (width, height) = _without_metadata(content)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "The image is truncated or corrupt (%(detail)s).",
            code="corrupt_image",
            params={"detail": error},
        ) from None
    return CheckedImage(
        content=content,
        format=image_format,
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def read_limited(source: bytes | BinaryIO) -> bytes:
    """The file's bytes, read no further than the size limit; ValidationError when it is over
    the limit or empty."""
    max_bytes = settings.VITRINE_MAX_IMAGE_BYTES
    content = source if isinstance(source, bytes) else source.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(
            "The file is larger than %(limit)s MB.",
            code="too_large",
            params={"limit": round(max_bytes / 1024 / 1024, 1)},
        )
    if not content:
        raise ValidationError("The file is empty.", code="empty")
    return content


def _without_metadata(content: bytes) -> tuple[bytes, tuple[int, int]]:
    """The photo to store, and its size: without its EXIF (GPS position, camera, owner), XMP or
    comments, turned upright as its EXIF orientation said. A photo with none of these is kept
    byte for byte (no re-encoding loss). Its colour profile stays: it is how its colours look.

    Read afresh from `content`: the check decoded a JPEG at a reduced scale (draft), and the
    stored photo keeps its full resolution."""
    with Image.open(io.BytesIO(content), formats=OPEN_FORMATS) as image:
        has_text = bool(getattr(image, "text", None))  # PNG text chunks
        if not (image.getexif() or has_text or any(key in image.info for key in METADATA_KEYS)):
            return content, image.size
        options = {"icc_profile": image.info.get("icc_profile")}
        if image.format in ("JPEG", "WEBP"):
            options["quality"] = STRIPPED_QUALITY
        if getattr(image, "n_frames", 1) > 1:
            # An animation keeps its frames (and the durations Pillow read); no EXIF turns them.
            picture, options["save_all"] = image, True
        else:
            picture = ImageOps.exif_transpose(image)
        picture.info = {
            key: value for key, value in picture.info.items() if key not in METADATA_KEYS
        }
        buffer = io.BytesIO()
        picture.save(
            buffer, image.format, **{key: value for key, value in options.items() if value}
        )
        return buffer.getvalue(), picture.size


def check_uploads(uploads: Iterable) -> list[CheckedImage]:
    """check_image on each uploaded file; one ValidationError naming every refused file."""
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_image(upload))
        except ValidationError as error:
            errors.extend(
                ValidationError(f"{upload.name}: {message}", code=error.code)
                for message in error.messages
            )
    if errors:
        raise ValidationError(errors)
    return checked


def _check_format_and_pixels(image_format: str | None, width: int, height: int) -> None:
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted; use JPEG, PNG, WebP or GIF.",
            code="bad_format",
            params={"format": image_format or "This kind of"},
        )
    if width * height > settings.VITRINE_MAX_IMAGE_PIXELS:
        raise _too_many_pixels(width, height)


def _too_many_pixels(width: int | None = None, height: int | None = None) -> ValidationError:
    limit = settings.VITRINE_MAX_IMAGE_PIXELS / 1_000_000
    if width is None:
        return ValidationError(
            "The image has more than %(limit)g million pixels.",
            code="too_many_pixels",
            params={"limit": limit},
        )
    return ValidationError(
        "The image is %(width)d×%(height)d pixels; the limit is %(limit)g million pixels.",
        code="too_many_pixels",
        params={"width": width, "height": height, "limit": limit},
    )


def make_thumbnail(content: bytes) -> bytes:
    """A JPEG of the photo within THUMBNAIL_BOX (never enlarged), upright, on white where the
    photo is transparent: what grids and cards load instead of the original."""
    with Image.open(io.BytesIO(content), formats=OPEN_FORMATS) as image:
        image.seek(0)  # an animated GIF's first frame
        image.draft("RGB", THUMBNAIL_BOX)  # a JPEG decodes near the thumbnail's size
        picture = ImageOps.exif_transpose(image).convert("RGBA")
    picture.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    flat = Image.new("RGB", picture.size, "white")
    flat.paste(picture, mask=picture.getchannel("A"))
    buffer = io.BytesIO()
    flat.save(buffer, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()
