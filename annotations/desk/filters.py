"""The desk's sidebar filters.

Annotation lists filter through the API's own AnnotationFilter, so that
`?status=approved&source=Kyodo` means the same on the desk as in the API.
Only a machine suggestion's confidence is filtered here, by bands (the API
has a lower bound only).
Every choice list is read cheaply at a million annotations: article columns
from the articles alone, users by an index probe each (BENCHMARKS.md).
"""

from collections.abc import Callable, Iterable

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q

from annotations.filters import AnnotationFilter
from annotations.models import ArtifactType, EntityType, Kind, Origin, Rating, Severity, Status
from annotations.selectors.annotations import usernames_of
from annotations.selectors.articles import article_column_values

Choices = Callable[[], Iterable[tuple[str, str]]]


def _as_choices(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class SharedFilter(admin.SimpleListFilter):
    """A sidebar filter that applies the AnnotationFilter parameter of the same name."""

    offered: Choices  # the values to offer (`choices` is Django's own method)

    def lookups(self, request, model_admin):
        return self.offered()

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        filterset = AnnotationFilter({self.parameter_name: [self.value()]}, queryset=queryset)
        if not filterset.is_valid():
            raise IncorrectLookupParameters(filterset.errors)
        return filterset.qs


def shared_filter(parameter_name: str, title: str, offered: Choices) -> type[SharedFilter]:
    """A SharedFilter for one AnnotationFilter parameter, offering `offered()`."""
    attributes = {"parameter_name": parameter_name, "title": title, "offered": staticmethod(offered)}
    return type(f"Shared{parameter_name.title().replace('_', '')}Filter", (SharedFilter,), attributes)


class ConfidenceFilter(admin.SimpleListFilter):
    """Machine suggestions by how confident their model was, in bands said as their tags say it
    (desk/origins.py: whole percents rounded down, so a "89 %" suggestion is in the middle band).
    The API has a lower bound only (min_confidence); the desk's bands need both."""

    title = "confidence"
    parameter_name = "confidence"
    bands = {
        "high": ("90 % or more", Q(confidence__gte=0.9)),
        "medium": ("50 % to 89 %", Q(confidence__gte=0.5, confidence__lt=0.9)),
        "low": ("under 50 %", Q(confidence__lt=0.5)),
    }

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.bands.items()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in self.bands:
            raise IncorrectLookupParameters(f"confidence: {self.value()!r} is not one of {', '.join(self.bands)}.")
        return queryset.filter(self.bands[self.value()][1])


ANNOTATION_FILTERS = [
    shared_filter("status", "status", lambda: Status.choices),
    shared_filter("origin", "origin", lambda: Origin.choices),
    ConfidenceFilter,
    shared_filter("kind", "kind", lambda: Kind.choices),
    shared_filter("entity_type", "entity type", lambda: EntityType.choices),
    shared_filter("artifact_type", "artifact type", lambda: ArtifactType.choices),
    shared_filter("severity", "severity", lambda: Severity.choices),
    shared_filter("rating", "rating", lambda: Rating.choices),
    shared_filter("source", "article source", lambda: _as_choices(article_column_values("source"))),
    shared_filter("created_by", "author", lambda: _as_choices(usernames_of("created_by"))),
    shared_filter("reviewed_by", "reviewer", lambda: _as_choices(usernames_of("reviewed_by"))),
]


class ArticleColumnFilter(admin.SimpleListFilter):
    """Articles by the value of one column. Django's own filter would read the choices from the
    list's queryset, which counts every article's annotations for the count columns."""

    def lookups(self, request, model_admin):
        return _as_choices(article_column_values(self.parameter_name))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if holds_nul(self.value()):  # as the API's filters: PostgreSQL text cannot hold NUL
            raise IncorrectLookupParameters(f"{self.parameter_name}: null characters are not allowed.")
        return queryset.filter(**{self.parameter_name: self.value()})


def article_column_filter(column: str) -> type[ArticleColumnFilter]:
    return type(f"Article{column.title()}Filter", (ArticleColumnFilter,), {"parameter_name": column, "title": column})


ARTICLE_FILTERS = [article_column_filter("source"), article_column_filter("language")]


def holds_nul(text: str) -> bool:
    return "\x00" in text


class NulSafeSearch:
    """A ModelAdmin search (the list's box, and the autocomplete that uses it) where a term
    with a NUL matches nothing, as no stored text can hold one, instead of failing in
    PostgreSQL."""

    def get_search_results(self, request, queryset, search_term):
        if holds_nul(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
