"""What happened to annotations: each change as an event, and deleted annotations as they were."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .annotations import Annotation
from .articles import Article
from .choices import HistoryAction, Kind, Status


class AnnotationEvent(models.Model):
    """One change to an annotation, written in the transaction that made it.

    Append-only: the services create events, nothing updates them.
    """

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=HistoryAction.choices)
    # Null for a change no person made: the re-anchoring of a revision read from a file.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True, default="")
    to_status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True, default="")
    # An edit's changed fields: {"field": {"from": old, "to": new}}; empty for reviews.
    changes = models.JSONField(default=dict, blank=True)
    # A re-anchoring event's revisions (its changes hold the old and new start, end and quote).
    from_revision = models.PositiveIntegerField(null=True, blank=True)
    to_revision = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["annotation", "at", "id"])]

    def __str__(self) -> str:
        # By username (reading the actor: select_related("actor") where many are shown).
        return f"{self.action} by {self.actor_name} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor_id else "an import"


class DeletedAnnotation(models.Model):
    """What a deleted annotation was, and its whole history, kept after the row is gone.

    Written by the delete service in the transaction that deletes the annotation
    (whose events go with it); nothing edits it afterwards.
    """

    former_id = models.BigIntegerField(unique=True, help_text="The id the annotation had.")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    quote = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deleted_at = models.DateTimeField()
    # Every field as stored (users and the article by id), and the events oldest first.
    fields = models.JSONField(encoder=DjangoJSONEncoder)
    history = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-deleted_at", "-id"]

    def __str__(self) -> str:
        return f"Deleted {self.get_kind_display().lower()} “{self.quote[:60]}”"
