"""Imports submitted through the API: a small file is imported during the request, a large one
stored under IMPORTS_DIR and queued for the import worker (process_imports); either way a
record says what became of it (GET /api/imports/{id}/)."""

import uuid
from pathlib import Path

from django.conf import settings

from annotations.domain.errors import InvalidInput
from annotations.domain.label_mapping import mapping_of
from annotations.models import AnnotationImport
from annotations.services.annotation_imports import import_claim, import_create, import_run

from .annotation_files import READERS, read


def check_format(format_name: str | None) -> str:
    if not format_name:
        raise InvalidInput({"format": [f"Say which format the file is in: one of {', '.join(sorted(READERS))}."]})
    if format_name not in READERS:
        raise InvalidInput({"format": [f"{format_name!r} is not a format: one of {', '.join(sorted(READERS))}."]})
    return format_name


def submit(*, actor, format_name: str | None, name: str, upload, size: int, mapping: object) -> AnnotationImport:
    """Import `upload` (a file-like object of `size` bytes) now, or queue it when it is large."""
    format_name = check_format(format_name)
    mapping = mapping_of(mapping)
    if size > settings.IMPORT_AT_ONCE_BYTES:
        folder = Path(settings.IMPORTS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.upload"
        with path.open("wb") as stored:
            for chunk in iter(lambda: upload.read(1 << 20), b""):
                stored.write(chunk)
        return import_create(
            actor=actor, format_name=format_name, name=name, size=size, mapping=mapping, path=str(path)
        )
    record = import_create(actor=actor, format_name=format_name, name=name, size=size, mapping=mapping)
    return import_run(record, read(format_name, upload), position=upload.tell)


def run_next() -> AnnotationImport | None:
    """Run the oldest queued import, if any; its stored file is removed once it has run."""
    record = import_claim()
    if record is None:
        return None
    path = Path(record.path)
    try:
        with path.open("rb") as file:
            return import_run(record, read(record.format, file), position=file.tell)
    finally:
        path.unlink(missing_ok=True)
