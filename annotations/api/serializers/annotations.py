"""The API's annotation and history representations (inputs are in annotations/inputs.py)."""

from collections.abc import Callable
from operator import attrgetter

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations.domain.records import (
    ANNOTATION_FIELDS,
    DATE_FIELDS,
    DATETIME_FIELDS,
    NULL_WHEN_EMPTY,
    USER_FIELDS,
    api_datetime,
)
from annotations.domain.transitions import REANCHORING_ACTIONS
from annotations.models import (
    Annotation,
    AnnotationEvent,
    ArtifactType,
    EntityType,
    HistoryAction,
    Rating,
    Severity,
    Status,
)


def _reader(name: str) -> Callable[[Annotation], object]:
    """How the API reads one record field off an annotation (users joined by the selector)."""
    if name in ("article", "claim_group"):
        return attrgetter(f"{name}_id")
    if name in USER_FIELDS:
        return lambda annotation: user.username if (user := getattr(annotation, name)) else None
    if name in NULL_WHEN_EMPTY:
        return lambda annotation: getattr(annotation, name) or None
    if name in DATETIME_FIELDS:
        return lambda annotation: api_datetime(getattr(annotation, name))
    if name in DATE_FIELDS:
        return lambda annotation: day.isoformat() if (day := getattr(annotation, name)) else None
    return attrgetter(name)


_READERS = {name: _reader(name) for name in ANNOTATION_FIELDS}


class AnnotationSerializer(serializers.ModelSerializer):
    entity_type = serializers.SerializerMethodField()
    artifact_type = serializers.SerializerMethodField()
    severity = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Annotation
        fields = list(ANNOTATION_FIELDS)
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=EntityType.choices, allow_null=True))
    def get_entity_type(self, annotation) -> str | None:
        return annotation.entity_type or None

    @extend_schema_field(serializers.ChoiceField(choices=ArtifactType.choices, allow_null=True))
    def get_artifact_type(self, annotation) -> str | None:
        return annotation.artifact_type or None

    @extend_schema_field(
        serializers.ChoiceField(choices=Severity.choices, allow_null=True, help_text="A translation artifact's (MQM).")
    )
    def get_severity(self, annotation) -> str | None:
        return annotation.severity or None

    @extend_schema_field(serializers.ChoiceField(choices=Rating.choices, allow_null=True, help_text="A claim's."))
    def get_rating(self, annotation) -> str | None:
        return annotation.rating or None

    def to_representation(self, annotation) -> dict:
        """The fields above, each read by its getter: DRF's field-by-field rendering cost
        more than a page's queries (BENCHMARKS.md). A test checks this gives exactly what
        the declared fields give."""
        return {name: read(annotation) for name, read in _READERS.items()}

    def declared_representation(self, annotation) -> dict:
        """DRF's own rendering of the declared fields (what to_representation must equal)."""
        return super().to_representation(annotation)


class FieldChangeSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared by name below.
    to = serializers.JSONField(help_text="The value after the edit.")


FieldChangeSerializer._declared_fields["from"] = serializers.JSONField(help_text="The value before the edit.")


class AnnotationEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null: a revision imported from a file."
    )
    action = serializers.ChoiceField(choices=HistoryAction.choices)
    from_status = serializers.SerializerMethodField()
    changes = serializers.DictField(
        child=FieldChangeSerializer(),
        required=False,
        help_text='On "edited" events: each field the edit changed, {"from": old, "to": new}. On a '
        "revision's events (moved, fixed, fuzzy, orphaned): start, end and quote before and after "
        "(after: null when orphaned).",
    )
    from_revision = serializers.IntegerField(required=False, help_text="A revision's events only.")
    to_revision = serializers.IntegerField(required=False, help_text="A revision's events only.")

    class Meta:
        model = AnnotationEvent
        fields = [
            "action",
            "actor",
            "at",
            "from_status",
            "to_status",
            "comment",
            "changes",
            "from_revision",
            "to_revision",
        ]
        read_only_fields = fields

    def to_representation(self, event) -> dict:
        data = super().to_representation(event)
        if event.action not in REANCHORING_ACTIONS:
            del data["from_revision"], data["to_revision"]  # API.md: a re-anchoring event carries them
            if event.action != HistoryAction.EDITED:
                del data["changes"]  # and an edited one its changes
        return data

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices, allow_null=True))
    def get_from_status(self, event) -> str | None:
        return event.from_status or None


class SimilarClaimSerializer(AnnotationSerializer):
    """For the schema: an annotation with how alike it is (0..1, trigram similarity)."""

    similarity = serializers.FloatField()

    class Meta(AnnotationSerializer.Meta):
        fields = [*AnnotationSerializer.Meta.fields, "similarity"]
        read_only_fields = fields


class SimilarClaimsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SimilarClaimSerializer(many=True)
