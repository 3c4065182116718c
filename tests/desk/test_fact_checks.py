"""A claim's rating, its explanation and the claim's date, and a translation artifact's severity, on
the desk: the article page's form and cards, the annotation's page and edit form, the list's column
and filters."""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from annotations.models import Annotation, Severity
from tests.factories import span_of

CHANGELIST = reverse("admin:annotations_annotation_changelist")
EXPLANATION = "The city's own bulletin says the streets were tense that evening."


def desk_url(article) -> str:
    return reverse("admin:annotations_article_change", args=[article.pk])


def annotation_url(annotation) -> str:
    return reverse("admin:annotations_annotation_change", args=[annotation.pk])


def annotate(client, article, quote: str, **fields):
    url = reverse("admin:annotations_article_annotate", args=[article.pk])
    return client.post(url, {**span_of(article.body, quote), "quote": quote, **fields})


def card_of(html: str, annotation) -> str:
    return re.search(rf'<li class="desk-item [^"]*" id="desk-item-{annotation.pk}".*?</li>', html, re.S).group()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def graded(article, annotator, make_annotation):
    """On `article`: a claim rated mostly false (with why and when), an unrated claim, and a critical
    and a minor artifact."""
    return {
        "rated": make_annotation(
            annotator,
            article,
            quote="Kyiv was calm",
            rating="mostly_false",
            rating_explanation=EXPLANATION,
            claim_date=date(2022, 3, 2),
        ),
        "unrated": make_annotation(annotator, article, quote="The end"),
        "critical": make_annotation(
            annotator,
            article,
            kind="translation_artifact",
            quote="Зеленский",
            artifact_type="untranslated",
            severity="critical",
        ),
        "minor": make_annotation(
            annotator, article, kind="translation_artifact", quote="Prime", artifact_type="grammar"
        ),
    }


# --- the article page's form -----------------------------------------------------------------------


def test_the_form_offers_each_kind_its_fields(article, annotator, browser_for):
    """A claim's rating, explanation and date, an artifact's severity (minor chosen), each in its kind's group."""
    html = browser_for(annotator).get(desk_url(article)).content.decode()
    form = html[html.index('<form class="desk-popup"') : html.index("<label>Note")]
    groups = dict(chunk.split('">', 1) for chunk in form.split('<div data-for-kind="')[1:])
    assert 'name="rating"' in groups["claim"] and 'name="rating_explanation"' in groups["claim"]
    assert re.search(r'<input type="date" name="claim_date"', groups["claim"])
    assert '<option value="mostly_false">Mostly false</option>' in groups["claim"]
    severity = re.search(r'<select name="severity".*?</select>', groups["translation_artifact"], re.S).group()
    assert re.findall(r'<option value="(\w*)"( selected)?>', severity) == [
        ("minor", " selected"),
        ("major", ""),
        ("critical", ""),
    ]
    assert "severity" not in groups["claim"] and "rating" not in groups["translation_artifact"]


def test_a_claim_annotated_on_the_desk_keeps_its_rating_explanation_and_date(article, annotator, browser_for):
    """What the popup posts reaches annotation_create; the new card answered shows it."""
    response = annotate(
        browser_for(annotator),
        article,
        "Kyiv was calm",
        kind="claim",
        claimant="Kyiv city administration",
        rating="mostly_false",
        rating_explanation=EXPLANATION,
        claim_date="2022-03-02",
    )
    assert response.status_code == 201, response.content.decode()
    claim = Annotation.objects.get(pk=response.json()["id"])
    assert (claim.rating, claim.rating_explanation, claim.claim_date, claim.severity) == (
        "mostly_false",
        EXPLANATION,
        date(2022, 3, 2),
        "",
    )
    card = card_of(response.json()["items"], claim)
    assert '<span class="desk-rating desk-rating-mostly_false" title="Rating: Mostly false">Mostly false</span>' in card


def test_a_claim_may_be_annotated_unrated(article, annotator, browser_for):
    """Rating, explanation and date are optional: blank is none."""
    response = annotate(
        browser_for(annotator), article, "Kyiv was calm", kind="claim", rating="", rating_explanation="", claim_date=""
    )
    assert response.status_code == 201, response.content.decode()
    claim = Annotation.objects.get()
    assert (claim.rating, claim.rating_explanation, claim.claim_date) == ("", "", None)


@pytest.mark.parametrize(
    ("posted", "stored"), [({"severity": "major"}, "major"), ({}, "minor"), ({"severity": ""}, "minor")]
)
def test_an_artifact_annotated_on_the_desk_is_minor_unless_graded(article, annotator, browser_for, posted, stored):
    """A severity chosen is kept; none (the field left out, or blank) is the service's minor."""
    response = annotate(
        browser_for(annotator),
        article,
        "Зеленский",
        kind="translation_artifact",
        artifact_type="untranslated",
        **posted,
    )
    assert response.status_code == 201, response.content.decode()
    assert Annotation.objects.get().severity == stored


def test_the_desk_refuses_a_rating_on_an_entity_and_a_bad_date_beside_their_fields(article, annotator, browser_for):
    """The kind rule's refusal and the form's own come back as field messages for the popup."""
    client = browser_for(annotator)
    entity = {"kind": "entity", "entity_type": "PERSON"}
    response = annotate(client, article, "Зеленский", **entity, rating="false")
    assert response.status_code == 400
    assert response.json() == {
        "errors": {"rating": ["rating belongs to claim annotations, not to entity annotations."]}
    }
    response = annotate(client, article, "Kyiv was calm", kind="claim", claim_date="2 March")
    assert response.status_code == 400
    assert response.json() == {"errors": {"claim_date": ["Enter a valid date."]}}
    response = annotate(client, article, "Kyiv was calm", kind="claim", rating="pants_on_fire")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["rating"]
    assert not Annotation.objects.exists()


# --- the cards, the annotation's page ------------------------------------------------------------------


def test_the_cards_show_the_rating_with_why_and_when_and_the_severity(graded, article, reviewer, browser_for):
    html = browser_for(reviewer).get(desk_url(article)).content.decode()
    rated = card_of(html, graded["rated"])
    assert (
        '<span class="desk-rating desk-rating-mostly_false" title="Rating: Mostly false">Mostly false</span>' in rated
    )
    assert f"Explanation {EXPLANATION}" in text_of(rated)
    assert '<dt>Claim date</dt><dd><time datetime="2022-03-02">2 Mar 2022</time></dd>' in rated
    unrated = card_of(html, graded["unrated"])
    assert "desk-rating" not in unrated and "Claim date" not in unrated and "Explanation" not in unrated
    critical = card_of(html, graded["critical"])
    assert '<span class="desk-severity desk-severity-critical" title="Severity: critical">Critical</span>' in critical
    assert "desk-rating" not in critical
    assert '<span class="desk-severity desk-severity-minor" title="Severity: minor">Minor</span>' in card_of(
        html, graded["minor"]
    )


def test_the_annotation_page_shows_the_rating_and_the_severity(graded, reviewer, browser_for):
    """Beside the span in its sentence, as the cards show them."""
    client = browser_for(reviewer)
    section = re.search(
        r'<section class="desk-in-text.*?</section>', client.get(annotation_url(graded["rated"])).content.decode(), re.S
    ).group()
    assert "Rating Mostly false" in text_of(section)
    assert "Claim date 2 Mar 2022" in text_of(section)
    assert f"Explanation {EXPLANATION}" in text_of(section)
    section = re.search(
        r'<section class="desk-in-text.*?</section>',
        client.get(annotation_url(graded["critical"])).content.decode(),
        re.S,
    ).group()
    assert "Severity Critical" in text_of(section) and "desk-severity-critical" in section
    assert "Rating" not in text_of(section)


def edit(client, annotation, **changes):
    """Post the annotation's edit form as its page fills it in, with `changes`."""
    fields = ["kind", "start", "end", "entity_type", "artifact_type", "suggested_correction", "severity"]
    fields += ["claimant", "rating", "rating_explanation", "note"]
    data = {field: getattr(annotation, field) for field in fields}
    data["claim_date"] = annotation.claim_date.isoformat() if annotation.claim_date else ""
    data.update(changes)
    data.update({"events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0, "events-MIN_NUM_FORMS": 0})
    data["events-MAX_NUM_FORMS"] = 1000
    return client.post(annotation_url(annotation), data)


def test_the_author_edits_the_rating_and_the_severity_on_the_annotations_page(graded, annotator, browser_for):
    """The edit form has the kind's fields; an edit goes through annotation_update and says what changed."""
    client = browser_for(annotator)
    html = client.get(annotation_url(graded["rated"])).content.decode()
    for name in ["rating", "rating_explanation", "claim_date", "severity"]:
        assert f'name="{name}"' in html
    assert '<option value="mostly_false" selected>Mostly false</option>' in html
    response = edit(client, graded["rated"], rating="false", claim_date="2022-03-01")
    assert response.status_code == 302, response.content.decode()
    claim = Annotation.objects.get(pk=graded["rated"].pk)
    assert (claim.rating, claim.claim_date, claim.rating_explanation) == ("false", date(2022, 3, 1), EXPLANATION)
    assert claim.events.order_by("at", "id").last().changes == {
        "rating": {"from": "mostly_false", "to": "false"},
        "claim_date": {"from": "2022-03-02", "to": "2022-03-01"},
    }
    assert edit(client, graded["critical"], severity="major").status_code == 302
    assert Annotation.objects.get(pk=graded["critical"].pk).severity == Severity.MAJOR


def fieldsets_of(html: str) -> list[tuple[str, str]]:
    """The annotation form's fieldsets: (the last of their classes, their heading)."""
    form = re.search(r'<form [^>]*id="annotation_form".*?</form>', html, re.S).group()
    found = re.findall(r'<fieldset class="([^"]*)"[^>]*>\s*<h2[^>]*>([^<]*)</h2>', form)
    return [(classes.split()[-1], heading.strip()) for classes, heading in found]


def test_the_form_groups_each_kinds_fields_and_a_read_only_page_shows_its_own(graded, annotator, reviewer, browser_for):
    """The author's form has a fieldset per kind (the script shows the chosen one); a reader sees the claim's only."""
    url = annotation_url(graded["rated"])
    assert fieldsets_of(browser_for(annotator).get(url).content.decode())[:5] == [
        ("aligned", "Span"),
        ("desk-for-claim", "Claim"),
        ("desk-for-entity", "Entity"),
        ("desk-for-translation_artifact", "Translation artifact"),
        ("aligned", "Notes"),
    ]
    html = browser_for(reviewer).get(url).content.decode()  # bob may review it, not edit it
    assert fieldsets_of(html)[:3] == [("aligned", "Span"), ("desk-for-claim", "Claim"), ("aligned", "Notes")]
    assert "Severity" not in re.search(r'<form [^>]*id="annotation_form".*?</form>', html, re.S).group()


def test_the_add_form_preselects_minor_and_adds_a_rated_claim(article, annotator, browser_for):
    """Adding by offsets: an artifact is minor unless graded, as on the article page; a claim takes its rating."""
    client = browser_for(annotator)
    add = reverse("admin:annotations_annotation_add")
    assert '<option value="minor" selected>Minor</option>' in client.get(add).content.decode()
    data = {"article": article.pk, "kind": "claim", "quote": "Kyiv was calm", "rating": "false"}
    response = client.post(add, {**data, "claim_date": "2022-03-02", "rating_explanation": EXPLANATION})
    assert response.status_code == 302, response.content.decode()
    claim = Annotation.objects.get()
    assert (claim.rating, claim.claim_date, claim.rating_explanation, claim.severity) == (
        "false",
        date(2022, 3, 2),
        EXPLANATION,
        "",
    )


# --- the annotation list -------------------------------------------------------------------------------


def type_cells(html: str) -> list[str]:
    return [text_of(cell) for cell in re.findall(r'<td class="field-type">(.*?)</td>', html, re.S)]


def test_the_list_shows_the_rating_and_the_severity_in_the_type_column(graded, reviewer, browser_for):
    """Newest first: the minor and critical artifacts, the unrated and the rated claim."""
    html = browser_for(reviewer).get(CHANGELIST).content.decode()
    assert type_cells(html) == ["Grammar Minor", "Untranslated Critical", "—", "Mostly false"]
    assert '<span class="desk-severity desk-severity-critical" title="Severity: critical">Critical</span>' in html
    assert '<span class="desk-rating desk-rating-mostly_false" title="Rating: Mostly false">Mostly false</span>' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rating=mostly_false", {"rated"}),
        ("rating=false", set()),
        ("severity=critical", {"critical"}),
        ("severity=minor", {"minor"}),
        ("severity=major", set()),
        ("kind=translation_artifact&severity=critical", {"critical"}),
    ],
)
def test_the_list_filters_by_rating_and_severity(graded, reviewer, browser_for, query, expected):
    """The sidebar's rating and severity filters are the API's parameters, meaning the same."""
    response = browser_for(reviewer).get(f"{CHANGELIST}?{query}")
    assert {row.pk for row in response.context["cl"].result_list} == {graded[name].pk for name in expected}


def test_the_sidebar_offers_every_rating_and_severity(graded, reviewer, browser_for):
    html = browser_for(reviewer).get(CHANGELIST).content.decode()
    for query, label in [("rating=mostly_false", "Mostly false"), ("rating=unverifiable", "Unverifiable")]:
        assert f'<a href="?{query}">{label}</a>' in html
    for value in ["minor", "major", "critical"]:
        assert f'<a href="?severity={value}">{value.capitalize()}</a>' in html


def test_an_unknown_rating_is_an_error_page_not_a_500(graded, reviewer, browser_for):
    response = browser_for(reviewer).get(f"{CHANGELIST}?rating=pants_on_fire")
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"


def test_rated_and_graded_rows_cost_no_more_queries(
    graded, article, annotator, reviewer, browser_for, make_annotation, django_assert_max_num_queries
):
    """The badges are the rows' own columns: no query per row on the list or on the article page."""
    client = browser_for(reviewer)
    with django_assert_max_num_queries(100) as list_queries:
        client.get(CHANGELIST)
    with django_assert_max_num_queries(100) as page_queries:
        client.get(desk_url(article))
    for quote, rating in [("Minister", "true"), ("Fumio", "mixed"), ("🙂", "unverifiable")]:
        make_annotation(annotator, article, quote=quote, rating=rating, claim_date=date(2022, 3, 1))
    for quote, severity in [("Kishida", "major"), ("met", "critical")]:
        make_annotation(
            annotator, article, kind="translation_artifact", quote=quote, artifact_type="grammar", severity=severity
        )
    with django_assert_max_num_queries(len(list_queries.captured_queries)):
        assert len(type_cells(client.get(CHANGELIST).content.decode())) == 9
    with django_assert_max_num_queries(len(page_queries.captured_queries)):
        assert client.get(desk_url(article)).content.decode().count('class="desk-item ') == 9
