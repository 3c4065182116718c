"""Annotations: a checked span of an article's body, its kind and type, and its review state.

Invariants live in the database as well as in the services: offsets are a
non-empty half-open span of the revision named (the current one unless
orphaned), the quote is as long as the span, the type columns
are filled exactly for the kind that needs them, and the same span of the same
kind and type cannot be stored twice. The type columns hold '' rather than
NULL for "none", so that the unique constraint sees two untyped claims on the
same span as equal on every database (NULLs would be distinct).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone

from .articles import Article
from .choices import ArtifactType, EntityType, Kind, Origin, Rating, Severity, Status

DUPLICATE_SPAN_MESSAGE = "This article already has an annotation of this kind and type on this span."
# What the unique-span constraint compares (orphaned rows aside); the services check it before saving.
UNIQUE_SPAN = ("article", "kind", "start", "end", "entity_type", "artifact_type")


def unique_span(annotation) -> dict:
    """The annotation's values of UNIQUE_SPAN, its article by id (no query), as a filter's keywords."""
    return {field: getattr(annotation, "article_id" if field == "article" else field) for field in UNIQUE_SPAN}


class ClaimGroup(models.Model):
    """One claim as it appears in several articles: its members are claim annotations."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"claim group {self.pk}"


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
    # A translation artifact's MQM severity (services set "minor" when none is given).
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True, default="")
    claimant = models.CharField(max_length=500, blank=True, default="")
    # A claim's fact-check: the verdict, why, and when the claim was made.
    rating = models.CharField(max_length=16, choices=Rating.choices, blank=True, default="")
    rating_explanation = models.TextField(blank=True, default="")
    claim_date = models.DateField(null=True, blank=True)
    # Claims that state the same thing, across articles (services/claims.py links them).
    claim_group = models.ForeignKey(
        "ClaimGroup", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="claims"
    )
    note = models.TextField(blank=True, default="")
    # Where it came from (domain/origins.py): a machine suggestion names its model and confidence.
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.HUMAN, editable=False)
    model = models.CharField(max_length=200, blank=True, default="", editable=False)
    confidence = models.FloatField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the services from the same clock reading as the change's review time and event.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
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
    # The article revision the offsets point into: the current one, unless orphaned.
    revision = models.PositiveIntegerField(default=1, editable=False)
    fixed_in_revision = models.PositiveIntegerField(null=True, blank=True, editable=False)

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
            # ?origin=machine: the machine suggestions waiting for review, in list order.
            models.Index(fields=["status", "origin", "id"], name="annotation_status_origin_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(origin=Origin.MACHINE) | (Q(model="") & Q(confidence__isnull=True)),
                name="annotation_model_only_on_machine_suggestions",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | (Q(confidence__gte=0) & Q(confidence__lte=1)),
                name="annotation_confidence_0_to_1",
            ),
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
            models.CheckConstraint(
                condition=Q(kind=Kind.CLAIM) | (Q(rating="") & Q(rating_explanation="") & Q(claim_date__isnull=True)),
                name="annotation_fact_check_only_on_claims",
            ),
            models.CheckConstraint(
                condition=(Q(kind=Kind.TRANSLATION_ARTIFACT) & Q(severity__in=Severity.values))
                | (~Q(kind=Kind.TRANSLATION_ARTIFACT) & Q(severity="")),
                name="annotation_severity_iff_artifact",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="annotation_status_known"),
            # Orphaned annotations keep offsets into an older revision: they collide with nothing.
            models.UniqueConstraint(
                fields=list(UNIQUE_SPAN),
                condition=~Q(status=Status.ORPHANED),
                name="annotation_unique_span",
                violation_error_message=DUPLICATE_SPAN_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} “{self.quote[:60]}”"
