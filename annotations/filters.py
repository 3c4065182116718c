"""The one FilterSet for annotations (and one for articles), shared by the
list endpoint, the exports and the admin site, so that a query means the same
thing everywhere. Invalid values are a 400, never silently ignored."""

from datetime import UTC

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Annotation, Article, ArtifactType, EntityType, Kind, Status


def _refuse_null_characters(values) -> None:
    # PostgreSQL text cannot hold NUL: refuse it as bad input rather than fail in the query.
    if any("\x00" in str(value) for value in values or ()):
        raise ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")


class _AnyValueField(forms.MultipleChoiceField):
    """A repeatable text parameter: any value is allowed (no fixed choices)."""

    def validate(self, value):
        _refuse_null_characters(value)
        super().validate(value)

    def valid_value(self, value):
        return True


class MultiValueCharFilter(django_filters.MultipleChoiceFilter):
    field_class = _AnyValueField


class _UsernamesField(django_filters.fields.ModelMultipleChoiceField):
    def clean(self, value):
        _refuse_null_characters(value)
        return super().clean(value)


@extend_schema_field(OpenApiTypes.STR)
class UsernameFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = _UsernamesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", get_user_model().objects.all())
        kwargs.setdefault("to_field_name", "username")
        super().__init__(*args, **kwargs)


class _UTCDateTimeField(IsoDateTimeField):
    """ISO 8601, turned into UTC: PostgreSQL refuses offsets beyond ±15:59 that Python allows."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError("This date-time is out of range.", code="invalid") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UTCDateTimeField


class AnnotationFilter(django_filters.FilterSet):
    article = django_filters.ModelMultipleChoiceFilter(queryset=Article.objects.only("id"))
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices)
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    entity_type = django_filters.MultipleChoiceFilter(choices=EntityType.choices)
    artifact_type = django_filters.MultipleChoiceFilter(choices=ArtifactType.choices)
    created_by = UsernameFilter(field_name="created_by__username", help_text="Username of the author.")
    reviewed_by = UsernameFilter(field_name="reviewed_by__username", help_text="Username of the reviewer.")
    source = MultiValueCharFilter(field_name="article__source", help_text="The article's source.")
    language = MultiValueCharFilter(field_name="article__language", help_text="The article's language tag.")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    reviewed_after = DateTimeFilter(field_name="reviewed_at", lookup_expr="gte")
    reviewed_before = DateTimeFilter(field_name="reviewed_at", lookup_expr="lt")
    q = django_filters.CharFilter(field_name="quote", lookup_expr="icontains", help_text="Text in the quote.")
    ordering = django_filters.OrderingFilter(fields=["id", "start", "created_at", "reviewed_at"])

    class Meta:
        model = Annotation
        fields = []

    @property
    def qs(self):
        # A stable order whatever the ordering asked for: ties broken by id.
        queryset = super().qs
        order = list(queryset.query.order_by) or ["id"]
        if not {"id", "-id", "pk", "-pk"} & set(order):
            order.append("id")
        return queryset.order_by(*order)


class ArticleFilter(django_filters.FilterSet):
    source = MultiValueCharFilter()
    language = MultiValueCharFilter()
    published_after = DateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = DateTimeFilter(field_name="published_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_words", help_text="Words that all appear in the title or body.")

    class Meta:
        model = Article
        fields = []

    def filter_words(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(title__icontains=word) | Q(body__icontains=word))
        return queryset
