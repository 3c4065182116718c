"""The API's article representations (inputs are in annotations/inputs.py)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations.models import Article, Status


class AnnotationCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()


class ArticleListSerializer(serializers.ModelSerializer):
    annotation_counts = serializers.SerializerMethodField()

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
            "annotation_counts",
        ]
        read_only_fields = fields

    @extend_schema_field(AnnotationCountsSerializer)
    def get_annotation_counts(self, article) -> dict:
        # Counted in the list's own query by selectors/articles.article_queryset(): no query per row.
        return {status: getattr(article, f"n_{status}") for status in Status.values}


class ArticleSerializer(ArticleListSerializer):
    class Meta(ArticleListSerializer.Meta):
        fields = [*ArticleListSerializer.Meta.fields[:2], "body", *ArticleListSerializer.Meta.fields[2:]]
        read_only_fields = fields


class ArticleConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    id = serializers.IntegerField(help_text="The id of the article that already has this body.")
