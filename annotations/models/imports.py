"""A file of annotations submitted for import, and what became of it (API.md, "Imports")."""

from django.conf import settings
from django.db import models


class ImportState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class AnnotationImport(models.Model):
    """One file: imported at once when small, else queued for the import worker (process_imports)."""

    format = models.CharField(max_length=32)
    name = models.CharField(max_length=500, blank=True, default="")
    mapping = models.JSONField(default=dict, blank=True)
    # Where a queued file waits (under IMPORTS_DIR); removed once it has run.
    path = models.CharField(max_length=1000, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.QUEUED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress while it runs: the records and bytes of the file read, and the stage ("reading",
    # then "storing" once the file is read and checked; "" before and after).
    records_read = models.PositiveIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    stage = models.CharField(max_length=16, blank=True, default="")
    articles_created = models.PositiveIntegerField(default=0)
    annotations_created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "id"], name="import_state_idx")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.format}, {self.state})"
