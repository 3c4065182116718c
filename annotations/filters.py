"""The FilterSets: one for annotations (with its variants for list pages and
exports) and one for articles, shared by the API, the exports and the desk, so
that a query means the same thing everywhere. Invalid values are a 400, never
silently ignored."""

from datetime import UTC

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from annotations.domain.errors import InvalidInput
from annotations.models import (
    Annotation,
    Article,
    ArtifactType,
    Change,
    EntityType,
    Kind,
    Origin,
    Rating,
    Severity,
    Status,
)
from annotations.query.windows import window_order


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


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """A repeatable choice parameter (`?kind=claim&kind=entity` means either).

    No filter here follows a to-many relation, so django-filter's default
    DISTINCT would change no result and only make PostgreSQL sort every
    matching row before the first page (BENCHMARKS.md)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # One `IN (...)` rather than django-filter's OR of equalities: PostgreSQL
        # can use `= ANY(...)` as an index condition, not an OR.
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class MultiValueCharFilter(ChoicesFilter):
    field_class = _AnyValueField


class _UsernamesField(django_filters.fields.ModelMultipleChoiceField):
    def clean(self, value):
        _refuse_null_characters(value)
        return super().clean(value)


@extend_schema_field(OpenApiTypes.STR)
class UsernameFilter(django_filters.ModelMultipleChoiceFilter):
    """Users by username. Validating the names already loads the users, so the
    annotations are filtered by their ids: no join, and the planner sees the id."""

    field_class = _UsernamesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", get_user_model().objects.only("id", "username"))
        kwargs.setdefault("to_field_name", "username")
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, users):
        return qs.filter(**{f"{self.field_name}__in": users}) if users else qs


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


# The parameters that bound each date column.
DATE_WINDOWS = {
    "created_at": ("created_after", "created_before"),
    "reviewed_at": ("reviewed_after", "reviewed_before"),
}


class AnnotationFilter(django_filters.FilterSet):
    article = django_filters.ModelMultipleChoiceFilter(queryset=Article.objects.only("id"), distinct=False)
    kind = ChoicesFilter(choices=Kind.choices)
    status = ChoicesFilter(
        choices=Status.choices,
        help_text="Without it, every status but orphaned (not found in the article's current revision).",
    )
    entity_type = ChoicesFilter(choices=EntityType.choices)
    artifact_type = ChoicesFilter(choices=ArtifactType.choices)
    severity = ChoicesFilter(choices=Severity.choices, help_text="A translation artifact's MQM severity.")
    rating = ChoicesFilter(choices=Rating.choices, help_text="A claim's fact-check verdict.")
    origin = ChoicesFilter(choices=Origin.choices, help_text="human, machine (a model's suggestion) or import.")
    min_confidence = django_filters.NumberFilter(
        field_name="confidence",
        lookup_expr="gte",
        min_value=0,
        max_value=1,
        help_text="Machine suggestions at least this confident (0 to 1); other annotations have no confidence.",
    )
    created_by = UsernameFilter(field_name="created_by", help_text="Username of the author.")
    reviewed_by = UsernameFilter(field_name="reviewed_by", help_text="Username of the reviewer.")
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
        # A stable order whatever the ordering asked for: ties broken by id, in the
        # direction of the last key, so that one index scan gives the page in order.
        queryset = super().qs
        if "status" in self.filters and not self.form.cleaned_data.get("status"):
            # Orphaned annotations point into an older revision: listed only when asked for.
            queryset = queryset.exclude(status=Status.ORPHANED)
        order = [str(key) for key in queryset.query.order_by] or ["id"]
        if not {"id", "-id", "pk", "-pk"} & set(order):
            order.append("-id" if order[-1].startswith("-") else "id")
        return queryset.order_by(*order)


class AnnotationPageFilter(AnnotationFilter):
    """AnnotationFilter for reading a page at a time (the list): the same filters and
    order, with a date window read the cheaper way for a page (query/windows.py).

    Not for exports: they read every row anyway, and a sorted window would hold back
    their first byte until the whole window is sorted.
    """

    @property
    def qs(self):
        queryset = super().qs  # validates the form, whose cleaned data the windows are
        windows = {
            column: tuple(self.form.cleaned_data.get(name) for name in bounds)
            for column, bounds in DATE_WINDOWS.items()
        }
        return window_order(queryset, base=self.queryset, windows=windows)


class AnnotationExportFilter(AnnotationFilter):
    """AnnotationFilter for the exports: an export holds approved annotations whatever is
    asked, so it has no status filter (a `status` parameter is ignored)."""

    status = None


class _IdsField(_AnyValueField):
    def clean(self, value):
        value = super().clean(value)
        if not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in value):
            raise ValidationError("Enter ids (whole numbers).", code="invalid")
        return [int(v) for v in value]


class IdsFilter(ChoicesFilter):
    """Repeatable ids, not checked against a table: a change outlives its article."""

    field_class = _IdsField


class ChangeFilter(django_filters.FilterSet):
    """The change feed's filters: the list's `article`, `kind`, `source` and `language`, read
    from the change itself (as it was when made: its annotation may be gone)."""

    article = IdsFilter(field_name="article_id", help_text="The article's id.")
    kind = ChoicesFilter(choices=Kind.choices)
    source = MultiValueCharFilter(help_text="The article's source.")
    language = MultiValueCharFilter(help_text="The article's language tag.")

    class Meta:
        model = Change
        fields = []


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


def filtered(filterset: django_filters.FilterSet):
    """The filterset's queryset; an invalid value is an InvalidInput (400) naming its parameter."""
    if not filterset.is_valid():
        raise InvalidInput({field: list(messages) for field, messages in filterset.errors.items()})
    return filterset.qs
