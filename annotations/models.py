"""Articles, their annotations and the annotations' review history.

Invariants live in the database as well as in the services: offsets are a
non-empty half-open span, the quote is as long as the span, the type columns
are filled exactly for the kind that needs them, and the same span of the same
kind and type cannot be stored twice. The type columns hold '' rather than
NULL for "none", so that the unique constraint sees two untyped claims on the
same span as equal on every database (NULLs would be distinct).
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact

DUPLICATE_SPAN_MESSAGE = "This article already has an annotation of this kind and type on this span."


class Article(models.Model):
    title = models.CharField(max_length=500)
    body = models.TextField()
    source = models.CharField(max_length=200, blank=True, help_text="Outlet or agency.")
    url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag.")
    published_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    # NULL, not "", for "not imported": API.md promises null here.
    imported_from = models.CharField(max_length=500, null=True, blank=True, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["source"]),
            models.Index(fields=["language"]),
            models.Index(fields=["published_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class Kind(models.TextChoices):
    CLAIM = "claim", "Claim"
    ENTITY = "entity", "Entity"
    TRANSLATION_ARTIFACT = "translation_artifact", "Translation artifact"


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class EntityType(models.TextChoices):
    """OntoNotes 5 entity names."""

    PERSON = "PERSON", "Person"
    ORG = "ORG", "Organisation"
    GPE = "GPE", "Country, city, state"
    LOC = "LOC", "Location"
    NORP = "NORP", "Nationality, religious or political group"
    FAC = "FAC", "Facility"
    EVENT = "EVENT", "Event"
    DATE = "DATE", "Date"
    TIME = "TIME", "Time"
    MONEY = "MONEY", "Money"
    QUANTITY = "QUANTITY", "Quantity"
    PERCENT = "PERCENT", "Percent"
    CARDINAL = "CARDINAL", "Cardinal"
    ORDINAL = "ORDINAL", "Ordinal"
    LAW = "LAW", "Law"
    PRODUCT = "PRODUCT", "Product"
    WORK_OF_ART = "WORK_OF_ART", "Work of art"
    LANGUAGE = "LANGUAGE", "Language"


class ArtifactType(models.TextChoices):
    MISTRANSLATION = "mistranslation", "Mistranslation (wrong meaning)"
    WRONG_REFERENT = "wrong_referent", "Wrong referent (person, group or place)"
    LITERAL_RENDERING = "literal_rendering", "Literal rendering (idiom or nickname)"
    UNTRANSLATED = "untranslated", "Untranslated"
    OMISSION = "omission", "Omission"
    ADDITION = "addition", "Addition"
    GRAMMAR = "grammar", "Grammar"
    TERMINOLOGY = "terminology", "Terminology"
    BOILERPLATE = "boilerplate", "Boilerplate (not the article)"
    ENCODING = "encoding", "Encoding (garbled characters)"


class Annotation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="annotations")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    start = models.PositiveIntegerField(help_text="Code point offset into the article body, inclusive.")
    end = models.PositiveIntegerField(help_text="Code point offset into the article body, exclusive.")
    quote = models.TextField(help_text="Always body[start:end].")
    # Context for exports, stored by the services whenever the span is set: bodies never
    # change, so neither does this, and cutting it per export row is slow in SQL (BENCHMARKS.md).
    prefix = models.TextField(blank=True, default="", editable=False, help_text="Body text just before the span.")
    suffix = models.TextField(blank=True, default="", editable=False, help_text="Body text just after the span.")
    entity_type = models.CharField(max_length=16, choices=EntityType.choices, blank=True, default="")
    artifact_type = models.CharField(max_length=32, choices=ArtifactType.choices, blank=True, default="")
    suggested_correction = models.TextField(blank=True, default="")
    claimant = models.CharField(max_length=500, blank=True, default="")
    note = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annotations_reviewed",
        editable=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comment = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["id"]
        permissions = [("review_annotation", "Can approve, reject and reopen annotations")]
        # The list's filters and orderings, measured at a million rows (BENCHMARKS.md):
        # each filter a consumer can use (status is always 'approved' for them) has an
        # index whose trailing columns give the page in order and the capped count
        # from the index alone. Orderings are tie-broken by id in the same direction.
        indexes = [
            models.Index(fields=["article", "start"]),
            models.Index(fields=["status", "id"]),
            models.Index(fields=["kind", "id"]),
            models.Index(fields=["status", "kind", "id"], name="annotation_status_kind_idx"),
            # kind rides along (a type implies its kind) so that ?kind=entity&entity_type=PERSON
            # is checked in the index alone.
            models.Index(fields=["status", "entity_type", "kind", "id"], name="annotation_status_entity_idx"),
            models.Index(fields=["status", "artifact_type", "kind", "id"], name="annotation_status_artifact_idx"),
            # ?source= and ?language= select articles; their approved annotations are counted from here.
            models.Index(fields=["article", "status"], name="annotation_article_status_idx"),
            models.Index(fields=["status", "created_by", "id"], name="annotation_status_author_idx"),
            models.Index(fields=["status", "reviewed_by", "reviewed_at", "id"], name="annotation_status_reviewer_idx"),
            # status rides along so that a consumer's date window is read from the index alone
            # (AnnotationFilter sorts a window's ids when walking the list's order would cost more).
            models.Index(fields=["created_at", "id"], include=["status"], name="annotation_created_id_idx"),
            models.Index(fields=["reviewed_at", "id"], include=["status"], name="annotation_reviewed_id_idx"),
            # ?ordering=start (ties broken by id) reads the first page off this index instead of sorting.
            models.Index(fields=["start", "id"], name="annotation_start_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0) & Q(start__lt=F("end")), name="annotation_span_valid"),
            models.CheckConstraint(
                condition=Exact(Length("quote"), F("end") - F("start")), name="annotation_quote_fits_span"
            ),
            models.CheckConstraint(
                condition=(Q(kind=Kind.ENTITY) & ~Q(entity_type="")) | (~Q(kind=Kind.ENTITY) & Q(entity_type="")),
                name="annotation_entity_type_iff_entity",
            ),
            models.CheckConstraint(
                condition=(Q(kind=Kind.TRANSLATION_ARTIFACT) & ~Q(artifact_type=""))
                | (~Q(kind=Kind.TRANSLATION_ARTIFACT) & Q(artifact_type="") & Q(suggested_correction="")),
                name="annotation_artifact_fields_iff_artifact",
            ),
            models.CheckConstraint(
                condition=Q(kind=Kind.CLAIM) | Q(claimant=""), name="annotation_claimant_only_on_claims"
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="annotation_status_known"),
            models.UniqueConstraint(
                fields=["article", "kind", "start", "end", "entity_type", "artifact_type"],
                name="annotation_unique_span",
                violation_error_message=DUPLICATE_SPAN_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} “{self.quote[:60]}”"


class HistoryAction(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    REOPENED = "reopened", "Reopened"


class AnnotationEvent(models.Model):
    """One change to an annotation, written in the transaction that made it.

    Append-only: the services create events, nothing updates them.
    """

    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=HistoryAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True, default="")
    to_status = models.CharField(max_length=16, choices=Status.choices)
    comment = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["annotation", "at", "id"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"


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
