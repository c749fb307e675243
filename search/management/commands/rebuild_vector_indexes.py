from django.core.management.base import BaseCommand, CommandError, CommandParser

from search.vector_indexes import rebuild_vector_indexes, vector_indexes


class Command(BaseCommand):
    help = (
        "Rebuild the search's HNSW indexes with the VITRINE_HNSW_* settings, beside the old "
        "ones (searches and writes go on), then switch to them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="the indexes to rebuild (default: all)")

    def handle(self, *args, names: list[str], **options) -> None:
        known = [index.name for index in vector_indexes()]
        if unknown := sorted(set(names) - set(known)):
            raise CommandError(f"No such vector index: {', '.join(unknown)} (known: {known})")
        for built in rebuild_vector_indexes(names or None):
            self.stdout.write(f"{built.name}: {built.seconds:.1f} s, {built.bytes / 2**20:.1f} MiB")
