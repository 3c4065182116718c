"""Export approved annotations from the command line, with the API's exporters and filters.

    python manage.py export_annotations --format jsonld --output approved.jsonld --kind claim --source Kyodo

Every filter of the list is an option (repeat one to allow several values);
`--base-url` is where the service is served, for the IRIs of JSON-LD.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.urls import reverse

from annotations.domain.errors import InvalidInput
from annotations.filters import AnnotationExportFilter
from annotations.interchange.jsonld import Iris
from annotations.interchange.registry import FORMATS
from annotations.interchange.stream import counted_export
from annotations.selectors.annotations import annotations_for_export

FILTERS = list(AnnotationExportFilter.base_filters)


class Command(BaseCommand):
    help = (
        "Stream approved annotations as JSONL, CSV or JSON-LD (or the rated claims as schema.org "
        "ClaimReviews), filtered like GET /api/annotations/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--base-url", default="http://localhost:8000", help="for the IRIs of JSON-LD")
        parser.add_argument(
            "--end-marker", action="store_true", help="JSONL and CSV: end with a marker line a truncated file lacks"
        )
        parser.add_argument(
            "--spreadsheet",
            action="store_true",
            help="CSV: for spreadsheets (a UTF-8 byte order mark first, as ?spreadsheet=true)",
        )
        filters = parser.add_argument_group("filters, as on the list endpoint")
        for name in FILTERS:
            filters.add_argument(f"--{name.replace('_', '-')}", dest=f"filter_{name}", action="append")

    def handle(self, *args, format, output, base_url, end_marker, spreadsheet, **options):
        if spreadsheet and format != "csv":
            raise CommandError("--spreadsheet is for --format csv")
        params = QueryDict(mutable=True)
        for name in FILTERS:
            if options[f"filter_{name}"]:
                params.setlist(name, options[f"filter_{name}"])
        try:
            annotations = annotations_for_export(params=params)
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        base_url = base_url.rstrip("/")
        collection = f"{base_url}{reverse(f'export-{format}')}"
        if params:
            collection += f"?{params.urlencode()}"
        iris = Iris.of(collection=collection, absolute=lambda path: f"{base_url}{path}")
        export = FORMATS[format]
        pieces = counted_export(
            export.holds(annotations), export.write, iris=iris, end_marker=end_marker, spreadsheet=spreadsheet
        )
        head = next(pieces)
        if output:
            with open(output, "wb") as file:
                file.writelines(pieces)
            self.stderr.write(f"{head.total} records written to {output}; change feed cursor {head.cursor}")
        else:
            sys.stdout.buffer.writelines(pieces)
