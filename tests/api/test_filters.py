"""AnnotationFilter: every filter of API.md, against data, through the list endpoint."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from annotations.filters import AnnotationFilter
from annotations.models import Annotation
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve, annotation_reject

URL = "/api/annotations/"


@pytest.fixture
def data(annotator, other_annotator, reviewer, other_reviewer, article, make_annotation):
    """Five annotations on two articles, of every kind and status:

    claim (alice, approved by bob), entity PERSON (alice, approved by dave),
    entity GPE (carol, rejected by bob), artifact literal_rendering (carol, pending),
    and on a German article from another source, claim (alice, approved by dave).
    """
    other = article_create(title="Zweiter", body="Der Kanzler sagte, Kyiv sei ruhig.", source="Kyodo", language="de")
    made = {
        "claim": make_annotation(annotator, article, quote="Kyiv was calm", claimant="police"),
        "person": make_annotation(annotator, article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"),
        "gpe": make_annotation(other_annotator, article, kind="entity", quote="Зеленский", entity_type="GPE"),
        "artifact": make_annotation(
            other_annotator, article, kind="translation_artifact", quote="The end", artifact_type="literal_rendering"
        ),
        "german": make_annotation(annotator, other, quote="Kyiv sei ruhig"),
    }
    annotation_approve(actor=reviewer, annotation_id=made["claim"].pk)
    annotation_approve(actor=other_reviewer, annotation_id=made["person"].pk)
    annotation_reject(actor=reviewer, annotation_id=made["gpe"].pk, comment="no")
    annotation_approve(actor=other_reviewer, annotation_id=made["german"].pk)
    return made


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def names(data, *keys) -> list[int]:
    return sorted(data[key].pk for key in keys)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=claim", ["claim", "german"]),
        ("kind=claim&kind=translation_artifact", ["claim", "artifact", "german"]),
        ("status=approved", ["claim", "person", "german"]),
        ("status=pending&status=rejected", ["gpe", "artifact"]),
        ("entity_type=PERSON", ["person"]),
        ("entity_type=PERSON&entity_type=GPE", ["person", "gpe"]),
        ("artifact_type=literal_rendering", ["artifact"]),
        ("created_by=carol", ["gpe", "artifact"]),
        ("created_by=carol&created_by=alice", ["claim", "person", "gpe", "artifact", "german"]),
        ("reviewed_by=dave", ["person", "german"]),
        ("source=Kyodo", ["german"]),
        ("source=Test Wire&source=Kyodo", ["claim", "person", "gpe", "artifact", "german"]),
        ("language=de", ["german"]),
        ("q=KYIV", ["claim", "german"]),
        ("q=Зеленский", ["gpe"]),
        ("q=nothing like this", []),
        ("kind=entity&status=approved", ["person"]),
    ],
)
def test_filter_selects_matching_annotations(client_for, annotator, data, query, expected):
    """Each filter (and repeats of one) selects exactly the matching annotations."""
    response = client_for(annotator).get(f"{URL}?{query}")
    assert sorted(ids(response)) == names(data, *expected)


def test_article_filter(client_for, annotator, data):
    """`article` takes one or more article ids."""
    german = data["german"].article_id
    assert ids(client_for(annotator).get(URL, {"article": german})) == [data["german"].pk]
    both = client_for(annotator).get(URL, {"article": [german, data["claim"].article_id]})
    assert sorted(ids(both)) == names(data, "claim", "person", "gpe", "artifact", "german")


def test_date_ranges(client_for, annotator, data):
    """created_/reviewed_ after (inclusive) and before (exclusive) bound the times."""
    client = client_for(annotator)
    Annotation.objects.filter(pk=data["claim"].pk).update(created_at=timezone.now() - timedelta(days=10))
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()
    assert ids(client.get(URL, {"created_before": week_ago})) == [data["claim"].pk]
    assert ids(client.get(URL, {"created_after": week_ago})) == names(data, "person", "gpe", "artifact", "german")
    reviewed = client.get(URL, {"reviewed_after": week_ago, "ordering": "id"})
    assert ids(reviewed) == names(data, "claim", "person", "gpe", "german")
    assert ids(client.get(URL, {"reviewed_before": week_ago})) == []


def not_a_choice(parameter: str, value: str) -> dict[str, list[str]]:
    return {parameter: [f"Select a valid choice. {value} is not one of the available choices."]}


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("kind=opinion", not_a_choice("kind", "opinion")),
        ("kind=claim&kind=bogus", not_a_choice("kind", "bogus")),
        ("status=done", not_a_choice("status", "done")),
        ("entity_type=person", not_a_choice("entity_type", "person")),
        ("artifact_type=typo", not_a_choice("artifact_type", "typo")),
        ("created_after=yesterday", {"created_after": ["Enter a valid date/time."]}),
        ("reviewed_before=2024-13-45", {"reviewed_before": ["Enter a valid date/time."]}),
        ("ordering=quote", not_a_choice("ordering", "quote")),
        ("ordering=-title", not_a_choice("ordering", "-title")),
        ("created_by=nobody", not_a_choice("created_by", "nobody")),
        ("article=abc", {"article": ["“abc” is not a valid value."]}),
    ],
)
def test_invalid_filter_is_400(client_for, annotator, data, query, errors):
    """An unknown choice, a bad date, an unknown ordering or user is a 400 naming the parameter."""
    response = client_for(annotator).get(f"{URL}?{query}")
    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize("field", ["id", "start", "created_at", "reviewed_at"])
@pytest.mark.parametrize("sign", ["", "-"])
def test_ordering(client_for, annotator, data, field, sign):
    """Each whitelisted ordering, ascending and descending, ties broken by id."""
    results = client_for(annotator).get(URL, {"ordering": f"{sign}{field}"}).json()["results"]
    value_of = dict(Annotation.objects.values_list("id", field))
    # NULLs (unreviewed) sort differently per database; the other rows must be in order.
    got = [(value_of[item["id"]], item["id"]) for item in results if value_of[item["id"]] is not None]
    expected = sorted(got, key=lambda pair: pair[0], reverse=bool(sign))
    assert [value for value, _ in got] == [value for value, _ in expected]
    assert len(results) == 5


def test_consumer_sees_only_approved_whatever_status_asked(client_for, consumer, data):
    """Filters narrow what a role may see; they never widen it."""
    response = client_for(consumer).get(URL, {"status": ["pending", "rejected"]})
    assert ids(response) == []
    assert sorted(ids(client_for(consumer).get(URL))) == names(data, "claim", "person", "german")


def test_filterset_on_a_queryset(data):
    """The FilterSet works on any queryset (the admin and the exports pass their own)."""
    params = QueryDict("kind=entity&ordering=-id")
    filterset = AnnotationFilter(params, queryset=Annotation.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs.values_list("id", flat=True)) == sorted([data["person"].pk, data["gpe"].pk], reverse=True)
