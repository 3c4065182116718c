"""domain/records.py: the record's fields in order, and the API's time format. No database."""

from datetime import UTC, datetime, timedelta, timezone

from annotations.domain.records import (
    ANNOTATION_FIELDS,
    EXPORT_FIELDS,
    PROVENANCE_FIELDS,
    READ_ONLY_FIELDS,
    WRITABLE_FIELDS,
    api_datetime,
)
from tests.conftest import RECORD_FIELDS


def test_an_export_record_is_the_annotation_then_its_article_and_context():
    """The fields API.md lists, in its order (RECORD_FIELDS is written out in tests/conftest.py)."""
    assert list(EXPORT_FIELDS) == RECORD_FIELDS
    assert EXPORT_FIELDS[: len(ANNOTATION_FIELDS)] == ANNOTATION_FIELDS
    # Every field is written by a person, or given once where it came from, or the service's.
    assert set(WRITABLE_FIELDS) | set(PROVENANCE_FIELDS) | set(READ_ONLY_FIELDS) == set(ANNOTATION_FIELDS)
    assert not set(WRITABLE_FIELDS) & set(READ_ONLY_FIELDS)
    assert not set(PROVENANCE_FIELDS) & (set(WRITABLE_FIELDS) | set(READ_ONLY_FIELDS))


def test_times_are_utc_with_a_z_and_microseconds_only_when_there_are_some():
    assert api_datetime(None) is None
    assert api_datetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert api_datetime(datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=UTC)) == "2026-01-02T03:04:05.000120Z"
    tokyo = timezone(timedelta(hours=9))
    assert api_datetime(datetime(2026, 1, 2, 9, 0, tzinfo=tokyo)) == "2026-01-02T00:00:00Z"
