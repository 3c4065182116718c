"""Export records streamed: query/records.py says what a record is; this reads them in chunks."""

from collections.abc import Iterator

from django.db.models import QuerySet

from annotations.query.records import record_of, record_rows

from . import stream


def records(annotations: QuerySet) -> Iterator[dict]:
    """One export record per annotation, read stream.CHUNK_ROWS at a time."""
    rows = record_rows(annotations).iterator(chunk_size=stream.CHUNK_ROWS)
    with stream.reading(annotations.db):
        for row in rows:
            yield record_of(row)
