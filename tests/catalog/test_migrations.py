"""Data migrations, run against real rows and files."""

import importlib

from django.apps import apps
from django.db import connection

from catalog.models import ProductImage

thumbnails_migration = importlib.import_module("catalog.migrations.0002_productimage_thumbnail")


def test_photos_saved_before_thumbnails_get_theirs(make_product, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    product = make_product()
    broken = make_product("BROKEN")
    # As before thumbnails existed: no field, no file.
    ProductImage.objects.update(thumbnail="")
    for thumbnail in tmp_path.rglob("*.thumb.jpg"):
        thumbnail.unlink()
    (tmp_path / broken.images.get().image.name).write_bytes(b"not a photo any more")
    with connection.schema_editor() as schema_editor:
        thumbnails_migration.make_missing_thumbnails(apps, schema_editor)
    image = product.images.get()
    assert image.thumbnail.name == image.image.name.replace(".jpg", ".thumb.jpg")
    assert (tmp_path / image.thumbnail.name).read_bytes()[:2] == b"\xff\xd8"  # a JPEG
    # A photo that no longer decodes keeps none: its pages show the original.
    assert broken.images.get().thumbnail == ""
