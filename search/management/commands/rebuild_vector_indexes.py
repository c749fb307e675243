from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.vector_indexes import (
    known_vector_index_names,
    rebuild_vector_indexes,
    sync_category_indexes,
)


class Command(BaseCommand):
    help = (
        "Rebuild the search's HNSW indexes with the VITRINE_HNSW_* settings, beside the old "
        "ones (searches and writes go on), then switch to them. Without names, it then builds "
        "the indexes of categories that need their own and drops those no longer needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="the indexes to rebuild (default: all)")

    def handle(self, *args, names: list[str], **options) -> None:
        known = known_vector_index_names()
        if unknown := sorted(set(names) - set(known)):
            raise CommandError(f"No such vector index: {', '.join(unknown)} (known: {known})")
        built = rebuild_vector_indexes(names or None)
        if not names:
            changes = sync_category_indexes()
            built += changes.built
            for name in changes.dropped:
                self.stdout.write(f"{name}: dropped (its category no longer needs it)")
        for index in built:
            self.stdout.write(f"{index.name}: {index.seconds:.1f} s, {index.bytes / 2**20:.1f} MiB")
