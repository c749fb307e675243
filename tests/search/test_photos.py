"""load_photo: every kind of photo the workers may meet comes out as loaded 8-bit RGB."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from search.photos import DECODE_SIZE, PhotoDecodeError, decode_query_photo, load_photo
from tests.memory import MB, camera_jpeg, peak_memory

MAX_PIXELS = 40_000_000


def encode(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def load(content: bytes, **options) -> Image.Image:
    image = load_photo(content, max_pixels=MAX_PIXELS, **options)
    assert image.mode == "RGB"
    return image


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display.
    content = encode(Image.new("RGB", (40, 20), "red"), "JPEG", exif=exif)

    assert load(content).size == (20, 40)


def test_cmyk_jpeg_becomes_rgb_of_the_same_colour():
    content = encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG")  # Pure red.

    assert close_to(load(content).getpixel((8, 8)), (255, 0, 0))


def test_palette_png_transparent_index_becomes_white():
    image = Image.new("P", (10, 10), 1)
    image.putpalette([0, 0, 0, 0, 0, 255])  # Index 0 black, index 1 blue.
    image.paste(0, (0, 0, 5, 10))
    result = load(encode(image, "PNG", transparency=0))

    assert result.getpixel((1, 1)) == (255, 255, 255)
    assert result.getpixel((8, 8)) == (0, 0, 255)


def test_rgba_png_is_composited_onto_white():
    image = Image.new("RGBA", (10, 10), (0, 128, 0, 255))
    image.paste((255, 0, 0, 0), (0, 0, 5, 10))  # Left half: red, fully transparent.
    result = load(encode(image, "PNG"))

    assert result.getpixel((1, 1)) == (255, 255, 255)
    assert result.getpixel((8, 8)) == (0, 128, 0)


def test_half_transparent_pixels_blend_with_white():
    content = encode(Image.new("RGBA", (4, 4), (0, 0, 0, 128)), "PNG")

    assert close_to(load(content).getpixel((0, 0)), (127, 127, 127), tolerance=2)


def test_la_png_becomes_rgb_on_white():
    image = Image.new("LA", (10, 10), (50, 255))
    image.paste((0, 0), (0, 0, 5, 10))
    result = load(encode(image, "PNG"))

    assert result.getpixel((1, 1)) == (255, 255, 255)
    assert result.getpixel((8, 8)) == (50, 50, 50)


@pytest.mark.parametrize(("mode", "value", "expected"), [("L", 90, 90), ("1", 1, 255)])
def test_grayscale_becomes_rgb(mode, value, expected):
    result = load(encode(Image.new(mode, (8, 8), value), "PNG"))

    assert result.getpixel((4, 4)) == (expected, expected, expected)


def test_16_bit_png_is_scaled_by_its_range_not_clipped():
    gradient = Image.new("I;16", (256, 4))
    gradient.putdata([x * 257 for x in range(256)] * 4)  # 0..65535 across the width.
    content = encode(gradient, "PNG")
    assert Image.open(io.BytesIO(content)).mode.startswith("I")  # Really a 16-bit file.

    low, high = load(content).convert("L").getextrema()
    assert low <= 2
    assert high >= 253


@pytest.mark.parametrize("image_format", ["GIF", "WEBP"])
def test_animated_image_gives_its_first_frame(image_format):
    frames = [Image.new("RGB", (16, 16), color) for color in ("red", "blue", "lime")]
    content = encode(frames[0], image_format, save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(content)).n_frames == 3

    assert close_to(load(content).getpixel((8, 8)), (255, 0, 0))


def test_truncated_jpeg_is_refused():
    content = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")

    with pytest.raises(PhotoDecodeError, match="truncated or corrupt"):
        load(content[: len(content) // 2])


def test_text_file_is_refused(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("not a photo at all")

    with pytest.raises(PhotoDecodeError, match="not an image"):
        load_photo(path, max_pixels=MAX_PIXELS)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(PhotoDecodeError, match="cannot be read"):
        load_photo(tmp_path / "gone.jpg", max_pixels=MAX_PIXELS)


def test_pixel_cap_is_read_from_the_header_before_decoding():
    content = encode(Image.new("1", (7000, 6000)), "PNG")
    header_only = content[:100]  # Pixel data cut off: decoding would fail as corrupt.

    with pytest.raises(PhotoDecodeError, match=r"42000000 pixels .*; the limit is 40000000"):
        load(header_only)


def test_huge_header_is_refused_by_pillows_bomb_check():
    content = encode(Image.new("1", (20000, 20000)), "PNG")

    with pytest.raises(PhotoDecodeError, match="pixels; the limit is 40000000"):
        load(content)


def test_pillow_bomb_warning_is_an_error_here(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    content = encode(Image.new("RGB", (40, 40)), "PNG")  # Above Pillow's limit, below twice it.

    with pytest.raises(PhotoDecodeError, match="more than 1000 pixels; the limit is 1000"):
        load(content)


def test_large_jpeg_decodes_at_reduced_scale_with_target_size():
    content = encode(Image.new("RGB", (2000, 1500), "navy"), "JPEG")

    result = load(content, target_size=128)
    assert result.width < 2000
    assert min(result.size) >= 128
    assert load(content, target_size=1500).size == (2000, 1500)  # Never below the target.


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_other_formats_are_reduced_after_decoding(image_format):
    content = encode(Image.new("RGB", (2400, 1800), "navy"), image_format)

    result = load(content)
    assert min(result.size) >= DECODE_SIZE
    assert result.size == (600, 450)  # by 4: the shorter side just above DECODE_SIZE


def test_a_small_photo_is_never_enlarged():
    assert load(encode(Image.new("RGB", (60, 80), "red"), "PNG")).size == (60, 80)


@pytest.mark.parametrize("image_format", ["BMP", "TIFF", "PPM"])
def test_formats_we_do_not_take_are_not_opened(image_format):
    content = encode(Image.new("RGB", (10, 10), "red"), image_format)

    with pytest.raises(PhotoDecodeError, match=r"not an image \(JPEG, PNG, WebP or GIF\)"):
        load(content)


def test_file_path_and_file_object_are_accepted(tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (6, 4), "red").save(path)

    assert load_photo(path, max_pixels=MAX_PIXELS).size == (6, 4)
    assert load_photo(str(path), max_pixels=MAX_PIXELS).size == (6, 4)
    with path.open("rb") as file:
        assert load_photo(file, max_pixels=MAX_PIXELS).getpixel((0, 0)) == (255, 0, 0)


def test_a_35_megapixel_query_photo_is_decoded_once_and_small():
    upload = SimpleUploadedFile("camera.jpg", camera_jpeg(7000, 5000), "image/jpeg")

    with peak_memory() as growth:
        photo = decode_query_photo(upload)
    assert photo.size == (875, 625)  # 1/8 scale: the shorter side still above DECODE_SIZE
    # At full size its pixels alone would take 105 MB, and each decode as much again.
    assert growth() < 30 * MB
