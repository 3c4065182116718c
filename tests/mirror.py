"""A downstream mirror of the approved annotations, kept by applying the change feed in order,
as API.md tells a client to; strict, so that a skipped or repeated change shows."""

from django.http import QueryDict

from annotations.interchange.records import records
from annotations.selectors.annotations import annotations_for_export
from annotations.selectors.feed import change_payload, changes_after


class Mirror:
    def __init__(self, records_by_id: dict | None = None, cursor: str | None = None, filters: dict | None = None):
        self.records = dict(records_by_id or {})
        self.cursor = cursor
        self.filters = filters or {}
        self.seen: set[str] = set()

    def apply(self, change: dict) -> None:
        assert change["cursor"] not in self.seen, f"change {change['cursor']} seen twice"
        self.seen.add(change["cursor"])
        key = change["annotation_id"]
        if change["type"] == "annotation.approved":
            assert key not in self.records, f"{change['cursor']}: approved, but already in the mirror"
            assert change["record"]["id"] == key and change["reason"] is None
            self.records[key] = change["record"]
        elif change["type"] == "annotation.updated":
            assert key in self.records, f"{change['cursor']}: updated, but not in the mirror (a change was skipped)"
            self.records[key] = change["record"]
        else:
            assert change["type"] == "annotation.withdrawn" and change["record"] is None and change["reason"]
            assert key in self.records, f"{change['cursor']}: withdrawn, but not in the mirror (a change was skipped)"
            del self.records[key]

    def follow(self, limit: int = 1000) -> int:
        """Read the feed (through the selector the API uses) to its end; how many changes applied."""
        applied = 0
        while True:
            after = None if self.cursor is None else int(self.cursor)
            page = changes_after(after=after, limit=limit, filters=self.filters)
            for change in page.changes:
                self.apply(change_payload(change))
                applied += 1
            self.cursor = page.next
            if not page.has_more:
                return applied


def exported(**filters) -> dict[int, dict]:
    """The JSONL export's records of every approved annotation (that matches the filters), by id."""
    params = QueryDict(mutable=True)
    for name, value in filters.items():
        params[name] = value
    return {record["id"]: record for record in records(annotations_for_export(params=params))}
