import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image

from catalog.images import check_image, make_thumbnail
from tests.conftest import jpeg_bytes


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width×height pixels: a decompression bomb's header."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_a_real_jpeg_passes_with_its_size_and_hash():
    checked = check_image(jpeg_bytes(size=(60, 80)))
    assert (checked.format, checked.width, checked.height, checked.extension) == (
        "JPEG",
        60,
        80,
        "jpg",
    )
    assert len(checked.sha256) == 64


def test_png_webp_and_gif_are_accepted():
    for image_format in ("PNG", "WEBP", "GIF"):
        buffer = io.BytesIO()
        Image.new("RGB", (10, 10), "blue").save(buffer, image_format)
        assert check_image(buffer.getvalue()).format == image_format


def test_a_text_file_named_jpg_is_not_an_image(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_text("this is not a photo")
    with open(fake, "rb") as handle, pytest.raises(ValidationError) as error:
        check_image(handle)
    assert error.value.code == "not_an_image"


def test_a_truncated_jpeg_is_corrupt():
    content = jpeg_bytes(size=(300, 300))
    with pytest.raises(ValidationError) as error:
        check_image(content[: len(content) // 2])
    assert error.value.code == "corrupt_image"


def test_a_20000_by_20000_png_bomb_is_refused_before_decoding():
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")
    with pytest.raises(ValidationError) as error:
        check_image(bomb.getvalue())
    assert error.value.code == "too_many_pixels"


def test_pixel_limit_is_read_from_the_header(settings):
    settings.VITRINE_MAX_IMAGE_PIXELS = 1_000_000
    with pytest.raises(ValidationError) as error:
        check_image(png_header_only(2_000, 1_000))
    assert error.value.code == "too_many_pixels"
    assert "2000×1000" in error.value.messages[0]


def test_a_file_over_the_byte_limit_is_refused(settings):
    settings.VITRINE_MAX_IMAGE_BYTES = 1_000
    with pytest.raises(ValidationError) as error:
        check_image(io.BytesIO(jpeg_bytes(size=(400, 400))))
    assert error.value.code == "too_large"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        check_image(b"")
    assert error.value.code == "empty"


@pytest.mark.parametrize("image_format", ["BMP", "TIFF", "ICO"])
def test_formats_we_do_not_take_are_refused_unparsed(image_format):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, image_format)
    with pytest.raises(ValidationError) as error:
        check_image(buffer.getvalue())
    assert error.value.code == "not_an_image"
    assert error.value.messages == ["The file is not an image (JPEG, PNG, WebP or GIF)."]


def test_a_large_jpeg_is_checked_and_thumbnailed_without_decoding_it_at_full_size():
    content = jpeg_bytes(size=(6000, 4000))
    # The header's size is what is checked and stored, though the decode was at 1/8 scale.
    assert (check_image(content).width, check_image(content).height) == (6000, 4000)
    with Image.open(io.BytesIO(make_thumbnail(content))) as thumbnail:
        assert thumbnail.size == (480, 320)


def test_a_thumbnail_is_an_upright_jpeg_within_the_box_on_white():
    buffer = io.BytesIO()
    Image.new("RGBA", (1000, 400), (255, 0, 0, 0)).save(buffer, "PNG")  # fully transparent
    with Image.open(io.BytesIO(make_thumbnail(buffer.getvalue()))) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (480, 192))
        assert thumbnail.getpixel((10, 10)) == (255, 255, 255)
    # EXIF orientation 6: the camera was turned; the thumbnail stands upright.
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "green").save(buffer, "JPEG", exif=exif)
    with Image.open(io.BytesIO(make_thumbnail(buffer.getvalue()))) as thumbnail:
        assert thumbnail.size == (360, 480)


def test_a_small_photo_is_not_enlarged():
    with Image.open(io.BytesIO(make_thumbnail(jpeg_bytes(size=(60, 80))))) as thumbnail:
        assert thumbnail.size == (60, 80)


def photo_with_gps_turned_sideways(image_format: str) -> bytes:
    """A 40×20 picture, red on its left quarter, whose EXIF says: turn it 90° clockwise (so
    upright it is 20×40, red on top), taken at a GPS position with a named camera."""
    picture = Image.new("RGB", (40, 20), "white")
    picture.paste((255, 0, 0), (0, 0, 10, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Spy camera"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 51.0, 29.0),
    }
    buffer = io.BytesIO()
    picture.save(buffer, image_format, exif=exif.tobytes(), comment=b"at home")
    return buffer.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_stored_photo_has_no_exif_and_is_upright(merchant, settings, tmp_path, image_format):
    from catalog import services
    from catalog.models import Product

    settings.MEDIA_ROOT = tmp_path
    original = photo_with_gps_turned_sideways(image_format)
    with Image.open(io.BytesIO(original)) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry GPS
    product = services.save_product(
        Product(merchant=merchant, sku="GPS", title="Photo"), photos=[check_image(original)]
    )
    image = product.images.get()
    assert (image.width, image.height) == (20, 40)
    with Image.open(tmp_path / image.image.name) as stored:
        assert stored.format == image_format and stored.size == (20, 40)
        assert not stored.getexif() and "comment" not in stored.info
        assert b"Spy camera" not in (tmp_path / image.image.name).read_bytes()
        top, bottom = stored.convert("RGB").getpixel((10, 2)), stored.getpixel((10, 37))
    assert top[0] > 200 and top[1] < 60  # red, on top: turned upright
    assert bottom[:3] == (255, 255, 255)


def test_a_photo_without_metadata_is_stored_as_it_came():
    content = jpeg_bytes("navy")
    assert check_image(content).content == content


def test_a_large_camera_photo_keeps_its_resolution_when_its_metadata_goes():
    # The check decodes a JPEG at a reduced scale; what is stored must not be that decode.
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Spy camera"
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 2000), "navy").save(buffer, "JPEG", exif=exif.tobytes())
    checked = check_image(buffer.getvalue())
    assert (checked.width, checked.height) == (3000, 2000)
    with Image.open(io.BytesIO(checked.content)) as stored:
        assert stored.size == (3000, 2000) and not stored.getexif()
