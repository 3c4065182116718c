"""The API's article representations (inputs are in annotations/inputs.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations.models import Article, ArticleRevision, Status
from annotations.selectors.quality import quality_of, scoring


class AnnotationCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    orphaned = serializers.IntegerField(help_text="Not found in the current revision: to place again or delete.")


class ErrorCountsSerializer(serializers.Serializer):
    minor = serializers.IntegerField()
    major = serializers.IntegerField()
    critical = serializers.IntegerField()


class TranslationQualitySerializer(serializers.Serializer):
    words = serializers.IntegerField(
        help_text="Words in the body, counted in any script (README, 'Translation quality')."
    )
    penalty = serializers.FloatField(help_text="MQM penalty points of the approved, unfixed translation artifacts.")
    per_1000_words = serializers.FloatField(allow_null=True, help_text="Penalty points per 1,000 words.")
    score = serializers.FloatField(allow_null=True, help_text="100 x (1 - penalty / words), not below 0.")
    passed = serializers.BooleanField(allow_null=True, help_text="Whether the score reaches MQM_PASS_THRESHOLD.")
    errors = ErrorCountsSerializer(help_text="The errors counted, by severity.")


class ArticleListSerializer(serializers.ModelSerializer):
    annotation_counts = serializers.SerializerMethodField()
    translation_quality = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "source",
            "url",
            "language",
            "published_at",
            "content_sha256",
            "imported_from",
            "created_at",
            "revision",
            "revised_at",
            "annotation_counts",
            "translation_quality",
        ]
        read_only_fields = fields

    @extend_schema_field(AnnotationCountsSerializer)
    def get_annotation_counts(self, article) -> dict:
        # Counted in the list's own query by selectors/articles.article_queryset(): no query per row.
        return {status: getattr(article, f"n_{status}") for status in Status.values}

    @extend_schema_field(TranslationQualitySerializer)
    def get_translation_quality(self, article) -> dict:
        # Read in the list's own query too (query/quality.py); the weights are the settings'.
        return quality_of(article, scoring())


class ArticleSerializer(ArticleListSerializer):
    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields[:2], "body", *ArticleListSerializer.Meta.fields[2:]]
        read_only_fields = fields


class ArticleConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    id = serializers.IntegerField(help_text="The id of the article that already has this body.")


class ReanchoringSerializer(serializers.Serializer):
    unchanged = serializers.IntegerField()
    moved = serializers.IntegerField()
    fuzzy = serializers.IntegerField(help_text="Placed approximately: back to pending for a person to confirm.")
    fixed = serializers.IntegerField(help_text="Translation artifacts whose span now reads their correction.")
    orphaned = serializers.IntegerField(help_text="Not found in the new text.")


class ArticleRevisionSerializer(serializers.ModelSerializer):
    revision = serializers.IntegerField(source="number")
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null: read from a file by import_articles."
    )
    reanchoring = ReanchoringSerializer(
        allow_null=True, help_text="What the revision did to the annotations; null for revision 1."
    )

    class Meta:
        model = ArticleRevision
        fields = ["revision", "title", "created_by", "created_at", "note", "content_sha256", "reanchoring"]
        read_only_fields = fields


class ArticleRevisionBodySerializer(ArticleRevisionSerializer):
    class Meta(ArticleRevisionSerializer.Meta):
        fields = [*ArticleRevisionSerializer.Meta.fields, "body"]
        read_only_fields = fields


class RevisedArticleSerializer(ArticleSerializer):
    """The article after a revision, with what the revision did to its annotations."""

    reanchoring = ReanchoringSerializer(read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "reanchoring"]
        read_only_fields = fields


class RevisionConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    revision = serializers.IntegerField(required=False, help_text="The current revision, when the body is its body.")
    id = serializers.IntegerField(required=False, help_text="The article that already has this body.")
