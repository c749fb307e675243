"""A product's photo files: stored with their thumbnails inside the write's transaction,
placed in order, and deleted from storage when the transaction that wrote them rolls back or
the photo goes (catalog.services calls these)."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from uuid import uuid4

from django.core.files.base import ContentFile
from django.db import transaction

from catalog.images import CheckedImage, make_thumbnail
from catalog.models import Product, ProductImage


@contextmanager
def photo_transaction() -> Iterator[list[str]]:
    """A transaction that also removes the photo files it wrote, should it roll back."""
    written: list[str] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        delete_files(written)
        raise


def add_photos(
    product: Product, photos: Sequence[CheckedImage], written: list[str]
) -> list[ProductImage]:
    start = product.images.count() if photos else 0
    return [
        _store_photo(product, photo, start + offset, written) for offset, photo in enumerate(photos)
    ]


def _store_photo(
    product: Product,
    photo: CheckedImage,
    position: int,
    written: list[str],
    *,
    imported: bool = False,
) -> ProductImage:
    image = ProductImage(
        product=product,
        imported=imported,
        width=photo.width,
        height=photo.height,
        sha256=photo.sha256,
        position=position,
    )
    name = uuid4().hex
    image.image.save(f"{name}.{photo.extension}", ContentFile(photo.content), save=False)
    written.append(image.image.name)
    image.thumbnail.save(
        f"{name}.thumb.jpg", ContentFile(make_thumbnail(photo.content)), save=False
    )
    written.append(image.thumbnail.name)
    image.save()
    return image


def store_imported_photo(product: Product, photo: CheckedImage, written: list[str]) -> None:
    """The import's photo takes the place of the one an earlier import stored (the only photo
    it may delete), or else goes first; the merchant's own photos stay."""
    images = locked_images(product)
    replaced = next((image for image in images if image.imported), None)
    position = images.index(replaced) if replaced else 0
    if replaced is not None:
        images.remove(replaced)
        replaced.delete()
        transaction.on_commit(lambda: delete_files(replaced.file_names))
    images.insert(position, _store_photo(product, photo, position, written, imported=True))
    save_positions(images)


def locked_images(product: Product) -> list[ProductImage]:
    return list(ProductImage.objects.select_for_update().filter(product=product))


def save_positions(images: list[ProductImage]) -> None:
    for position, image in enumerate(images):
        if image.position != position:
            image.position = position
            image.save(update_fields=["position"])


def delete_files(file_names: Iterable[str]) -> None:
    storage = ProductImage._meta.get_field("image").storage
    for name in file_names:
        storage.delete(name)
