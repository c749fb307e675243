import logging
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import migrations, models

import catalog.models
from catalog.images import make_thumbnail

logger = logging.getLogger(__name__)


def make_missing_thumbnails(apps, schema_editor):
    """Photos stored before thumbnails existed get theirs; one that cannot be read keeps none
    (pages then show the original)."""
    ProductImage = apps.get_model("catalog", "ProductImage")
    # The migrating connection (the owner's): the site's own would wait on this migration's
    # lock on the table.
    images = ProductImage.objects.using(schema_editor.connection.alias)
    storage = ProductImage._meta.get_field("image").storage
    for image in images.filter(thumbnail="").iterator():
        try:
            with storage.open(image.image.name) as original:
                content = make_thumbnail(original.read())
        except Exception as error:  # a missing or corrupt file must not stop the migration
            logger.warning("No thumbnail for %s: %s", image.image.name, error)
            continue
        original_name = PurePosixPath(image.image.name)
        name = storage.save(
            str(original_name.with_name(f"{original_name.stem}.thumb.jpg")), ContentFile(content)
        )
        images.filter(pk=image.pk).update(thumbnail=name)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="productimage",
            name="thumbnail",
            field=models.FileField(
                blank=True, max_length=255, upload_to=catalog.models.product_image_path
            ),
        ),
        migrations.RunPython(make_missing_thumbnails, migrations.RunPython.noop, elidable=True),
    ]
