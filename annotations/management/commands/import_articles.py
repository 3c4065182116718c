from django.core.management.base import BaseCommand, CommandError

from annotations.interchange.articles import ImportFailure, ParsedFile, find_files, parse_file
from annotations.services.imports import articles_import

# Files are stored in batches of about this many articles: one transaction and
# a handful of queries each, rather than a query per article.
BATCH_ARTICLES = 2000


class Command(BaseCommand):
    help = (
        "Import articles from .txt files (one article each, optional NAME.json sidecar of metadata) "
        "and .jsonl files (one article a line), or folders of them. Each file is imported whole or "
        "not at all; articles whose body is already stored are skipped, and an article whose url is "
        "already stored with another body becomes that article's next revision (its annotations re-anchored)."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
        parser.add_argument("--encoding", default="utf-8", help="the files' text encoding (default: utf-8)")

    def handle(self, *args, paths, encoding, **options):
        imported = revised = skipped = failed = 0
        batch: list[ParsedFile] = []

        def flush():
            nonlocal imported, revised, skipped
            for result in articles_import([f.records for f in batch]):
                imported += result.imported
                revised += result.revised
                skipped += result.skipped
            batch.clear()

        for item in find_files(paths):
            try:
                if isinstance(item, ImportFailure):
                    raise item
                batch.append(parse_file(item, encoding))
            except ImportFailure as failure:
                failed += 1
                self.stderr.write(f"failed: {failure}")
                continue
            if sum(len(f.records) for f in batch) >= BATCH_ARTICLES:
                flush()
        flush()

        self.stdout.write(f"imported {imported}, revised {revised}, skipped {skipped}, failed {failed}")
        if failed:
            raise CommandError(f"{failed} file(s) failed; nothing of them was stored", returncode=1)
