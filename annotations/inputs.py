"""What clients send, field by field: the types, lengths and choices of each input.

DRF serializers, read by the API's views and by the file readers of
`interchange/`, so that a file means the same as the requests it stands for.
What fields mean together (a span against the body, the fields of a kind) is
the services' to check.
"""

import re

from rest_framework import serializers

from annotations.domain.records import PROVENANCE_FIELDS, READ_ONLY_FIELDS
from annotations.models import Article, ArtifactType, EntityType, Kind, Origin, Rating, Severity
from annotations.models.articles import language_tag

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


class DateOrDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time; a plain date (YYYY-MM-DD) is read as midnight UTC."""

    def to_internal_value(self, value):
        if isinstance(value, str) and _DATE_ONLY.fullmatch(value):
            value = f"{value}T00:00:00Z"
        return super().to_internal_value(value)


class StrictFieldsMixin:
    """Refuse fields a client may not set, instead of silently dropping them:
    a client that sends `status` or a misspelt field learns at once."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            read_only = set(getattr(self.Meta, "known_read_only", ()))
            refused = {
                field: ["This field is read-only." if field in read_only else "Unknown field."]
                for field in sorted(set(data) - set(self.fields))
            }
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)


# --- articles ---------------------------------------------------------------------


class ArticleCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=500)
    body = serializers.CharField(trim_whitespace=False)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    language = serializers.CharField(max_length=35, required=False, default="en", validators=[language_tag])
    published_at = DateOrDateTimeField(required=False, allow_null=True, default=None)

    class Meta:
        known_read_only = ("id", "content_sha256", "imported_from", "created_at", "annotation_counts")

    def validate_body(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("This field may not be blank.")
        return value


class ArticleRevisionSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(trim_whitespace=False, help_text="The new body, normalised as on create.")
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why it changed.")
    title = serializers.CharField(max_length=500, required=False, help_text="A new title, if it changed too.")

    class Meta:
        known_read_only = ("revision", "created_by", "created_at", "content_sha256", "reanchoring")

    def validate_body(self, value: str) -> str:
        return ArticleCreateSerializer.validate_body(self, value)


# --- annotations -------------------------------------------------------------------

_SPAN_HELP = "Code point offset into the article's stored body (Python str index), half-open."


class AnnotationWriteSerializer(StrictFieldsMixin, serializers.Serializer):
    """Fields a client may set; what they mean together is checked by the services."""

    article = serializers.PrimaryKeyRelatedField(queryset=Article.objects.only("id", "body"))
    kind = serializers.ChoiceField(choices=Kind.choices)
    start = serializers.IntegerField(min_value=0, required=False, allow_null=True, help_text=_SPAN_HELP)
    end = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text=_SPAN_HELP)
    quote = serializers.CharField(
        required=False,
        allow_null=True,
        trim_whitespace=False,
        help_text="The annotated text; alone, it is looked up in the body (give start too if it occurs twice).",
    )
    entity_type = serializers.ChoiceField(choices=EntityType.choices, required=False, allow_null=True, allow_blank=True)
    artifact_type = serializers.ChoiceField(
        choices=ArtifactType.choices, required=False, allow_null=True, allow_blank=True
    )
    suggested_correction = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False
    )
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="A translation artifact's MQM severity (minor when not given).",
    )
    claimant = serializers.CharField(max_length=500, required=False, allow_null=True, allow_blank=True)
    rating = serializers.ChoiceField(
        choices=Rating.choices, required=False, allow_null=True, allow_blank=True, help_text="A claim's verdict."
    )
    rating_explanation = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False, help_text="Why the claim has it."
    )
    claim_date = serializers.DateField(required=False, allow_null=True, help_text="When the claim was made.")
    note = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    origin = serializers.ChoiceField(
        choices=Origin.choices,
        required=False,
        help_text="Where the annotation comes from (human unless given); set on creation only.",
    )
    model = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="A machine suggestion's model and version (machine only; creation only).",
    )
    confidence = serializers.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        allow_null=True,
        help_text="A machine suggestion's confidence, 0 to 1 (machine only; creation only).",
    )
    revision = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The article revision the offsets were read from; if it is no longer the current one, "
        "the request is refused (409, naming the current revision) rather than placed on changed text.",
    )

    class Meta:
        known_read_only = READ_ONLY_FIELDS


class AnnotationUpdateSerializer(AnnotationWriteSerializer):
    """PATCH: every field optional; the article cannot change."""

    article = None
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    origin = model = confidence = None  # where an annotation came from does not change

    class Meta(AnnotationWriteSerializer.Meta):
        known_read_only = (*AnnotationWriteSerializer.Meta.known_read_only, "article", *PROVENANCE_FIELDS)


class ReviewSerializer(StrictFieldsMixin, serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)

    class Meta:
        known_read_only = ()


class RejectSerializer(ReviewSerializer):
    comment = serializers.CharField(trim_whitespace=False, help_text="Required: why the annotation is rejected.")


class LinkSerializer(StrictFieldsMixin, serializers.Serializer):
    to = serializers.IntegerField(min_value=1, help_text="The id of a claim that states the same thing.")

    class Meta:
        known_read_only = ()
