"""Translation quality on the desk (desk/articles.py): the article list's score column, its sort and
its pass/fail filter, read from the list's own query; the article page's panel with the errors
that make the score. Expected scores are computed here by hand, from the words and the MQM
weights (1, 5, 25 by default), never read from the application."""

import math
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.domain.quality import passing_raw_score
from annotations.query.quality import with_verdict
from annotations.selectors.articles import article_queryset
from annotations.selectors.quality import quality_of, scoring
from annotations.services.annotations import annotation_create
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve, annotation_reject
from tests.factories import span_of

LIST_URL = reverse("admin:annotations_article_changelist")


def text_of(words: int, *phrases: str) -> str:
    """A body of exactly `words` words: the phrases, then filler words."""
    said = " ".join(phrases)
    filler = words - sum(len(phrase.split()) for phrase in phrases)
    return " ".join([said, *(f"filler{i}" for i in range(filler))]).strip() + "."


def make_article(title: str, words: int, *phrases: str):
    article = article_create(title=title, body=text_of(words, *phrases), source="Test Wire", language="en")
    assert article.word_count == words
    return article


def artifact(author, article, quote: str, severity: str, artifact_type: str = "mistranslation", *, approve_by=None):
    """A translation artifact on `quote`, pending, or approved by `approve_by` (never its author)."""
    made = annotation_create(
        actor=author,
        article=article,
        kind="translation_artifact",
        artifact_type=artifact_type,
        severity=severity,
        **span_of(article.body, quote),
    )
    if approve_by is not None:
        annotation_approve(actor=approve_by, annotation_id=made.pk)
    return made


def row_of(html: str, article) -> str:
    """The article's row of the changelist."""
    change = reverse("admin:annotations_article_change", args=[article.pk])
    return html.split(f'href="{change}"')[1].split("</tr>")[0]


def quality_cell(html: str, article) -> str:
    cell = re.search(r'<td class="field-quality">(.*?)</td>', row_of(html, article), re.S).group(1)
    return re.sub(r"<[^>]+>", "", cell).split()  # its words: the score and the verdict


def quality_column(html: str) -> str:
    """The changelist's ordering parameter (?o=) for the quality column, from its header."""
    return re.search(r'<th scope="col" class="sortable column-quality">.*?<a href="\?o=(\d+)"', html, re.S).group(1)


def titles(html: str) -> list[str]:
    return re.findall(r'<th class="field-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def scored(annotator, reviewer):
    """Four articles: "Critical" (200 words, one approved critical error: 100 x (1 - 25/200) = 87.5,
    fails), "Minor" (1,000 words, one approved minor: 99.9, passes), "Clean" (100 words, no
    error: 100) and "Wordless" (no words, no score)."""
    critical = make_article("Critical", 200, "Zelensky met Kishida")
    artifact(annotator, critical, "Zelensky", "critical", "wrong_referent", approve_by=reviewer)
    minor = make_article("Minor", 1000, "the the")
    artifact(annotator, minor, "the the", "minor", "grammar", approve_by=reviewer)
    clean = make_article("Clean", 100)
    wordless = article_create(title="Wordless", body="— 🙂 —", source="Test Wire")
    assert wordless.word_count == 0
    return {"critical": critical, "minor": minor, "clean": clean, "wordless": wordless}


# --- the list ---------------------------------------------------------------------------------------------------


def test_the_list_shows_each_articles_score_and_verdict(scored, reviewer, browser_for):
    """The score to two decimals and "pass" or "fail" in words; "—" for a text without words."""
    html = browser_for(reviewer).get(LIST_URL).content.decode()
    assert quality_cell(html, scored["critical"]) == [f"{100 * (1 - 25 / 200):.2f}", "fail"] == ["87.50", "fail"]
    assert quality_cell(html, scored["minor"]) == [f"{100 * (1 - 1 / 1000):.2f}", "pass"]
    assert quality_cell(html, scored["clean"]) == ["100.00", "pass"]
    assert quality_cell(html, scored["wordless"]) == ["—"]
    assert 'class="desk-verdict desk-verdict-fail" title="Below the pass threshold of 99"' in row_of(
        html, scored["critical"]
    )
    assert "annotations/desk.css" in html  # the badges' styles


def test_a_pending_or_rejected_artifact_does_not_change_the_score(scored, annotator, reviewer, browser_for):
    """Only approved artifacts count: a pending major and a rejected critical leave 87.50 as it was."""
    critical = scored["critical"]
    artifact(annotator, critical, "met", "major")
    rejected = artifact(annotator, critical, "Kishida", "critical")
    annotation_reject(actor=reviewer, annotation_id=rejected.pk, comment="not an error")
    html = browser_for(reviewer).get(LIST_URL).content.decode()
    assert quality_cell(html, critical) == ["87.50", "fail"]


def test_the_quality_column_sorts_by_score_both_ways_with_no_score_last(scored, reviewer, browser_for):
    """The header sorts worst first (the score ascending), then best first; "Wordless" is last both ways."""
    client = browser_for(reviewer)
    column = quality_column(client.get(LIST_URL).content.decode())
    ascending = titles(client.get(f"{LIST_URL}?o={column}").content.decode())
    assert ascending == ["Critical", "Minor", "Clean", "Wordless"]
    descending = titles(client.get(f"{LIST_URL}?o=-{column}").content.decode())
    assert descending == ["Clean", "Minor", "Critical", "Wordless"]


def test_the_quality_filter_lists_the_passed_or_the_failed(scored, reviewer, browser_for):
    """ "passed" lists the articles whose badge says pass, "failed" those whose badge says fail; neither
    lists an article without a score; a made-up value is refused (Django's ?e=1)."""
    client = browser_for(reviewer)
    html = client.get(LIST_URL).content.decode()
    assert "passed (score ≥ 99)" in html and "failed (below 99)" in html
    assert sorted(titles(client.get(f"{LIST_URL}?quality=passed").content.decode())) == ["Clean", "Minor"]
    assert titles(client.get(f"{LIST_URL}?quality=failed").content.decode()) == ["Critical"]
    counted = client.get(f"{LIST_URL}?_facets=True").content.decode()  # "Show counts"
    assert "passed (score ≥ 99) (2)" in counted and "failed (below 99) (1)" in counted
    response = client.get(f"{LIST_URL}?quality=excellent")
    assert response.status_code == 302 and response.url.endswith("?e=1")


@pytest.mark.parametrize("threshold", [99, 98.5, 99.13, 99.12, 98.88, 0.001, 100, 97.555, 0, -1])
def test_the_filters_bound_agrees_with_the_badges_rounding(threshold):
    """A raw score passes by the bound exactly when its rounded score passes the threshold, on
    either side of the bound and around it."""
    bound = passing_raw_score(threshold)
    near = [bound]
    for _ in range(3):
        near = [near[0], *near, near[-1]]
        near[0], near[-1] = math.nextafter(near[0], -math.inf), math.nextafter(near[-1], math.inf)
    for step in (1e-9, 1e-6, 0.001, 0.004, 0.006, 0.01, 0.5):
        near += [bound - step, bound + step]
    for raw in near:
        rounded_passes = round(max(0.0, raw), 2) >= threshold
        assert rounded_passes == (raw >= bound or bound <= 0), (threshold, raw, bound)
    assert any(raw >= bound for raw in near) and any(raw < bound for raw in near)


@pytest.mark.parametrize(
    "threshold, type_weight, words, errors",
    [
        # 100 x (1 - w / 200) about 98.995, the threshold 99 less half a hundredth, from either side.
        *((99, weight, 200, 1) for weight in (2.0, 2.009, 2.0099999, 2.01, 2.0100001, 2.011, 2.02)),
        # 100 x (1 - 7 / 800) = 99.125 exactly, which rounds to 99.12 (half to even): fails 99.13, passes 99.12.
        (99.13, 1, 800, 7),
        (99.12, 1, 800, 7),
    ],
)
def test_the_filter_agrees_with_the_badge_on_the_boundary(
    threshold, type_weight, words, errors, settings, annotator, reviewer
):
    """Real articles scored right at the pass threshold: the filter puts each where its badge says."""
    settings.MQM_PASS_THRESHOLD = threshold
    settings.MQM_TYPE_WEIGHTS = {"grammar": type_weight}
    phrases = [f"error{i}" for i in range(errors)]
    article = make_article("Boundary", words, *phrases)
    for phrase in phrases:
        artifact(annotator, article, phrase, "minor", "grammar", approve_by=reviewer)
    read = article_queryset(with_body=False).get(pk=article.pk)
    passed = quality_of(read, scoring())["passed"]
    assert passed == (round(100 * (1 - errors * type_weight / words), 2) >= threshold)
    in_passed = with_verdict(article_queryset(with_body=False), "passed", scoring()).filter(pk=article.pk).exists()
    in_failed = with_verdict(article_queryset(with_body=False), "failed", scoring()).filter(pk=article.pk).exists()
    assert (in_passed, in_failed) == (passed, not passed)


def test_the_boundary_cases_fall_on_both_sides(settings, annotator, reviewer):
    """The parametrized weights above do straddle the threshold: 2.01 passes (98.995 rounds up in
    binary), 2.0100001 fails."""
    assert round(100 * (1 - 2.01 / 200), 2) >= 99
    assert round(100 * (1 - 2.0100001 / 200), 2) < 99


def test_the_list_costs_the_same_queries_for_5_and_for_20_articles(annotator, reviewer, browser_for):
    """The score, the verdict and the counts come from the page's own query: none per row."""
    client = browser_for(reviewer)

    def add_articles(first: int, n: int) -> None:
        for i in range(first, first + n):
            article = make_article(f"Article {i}", 50 + i, "wrong word")
            artifact(annotator, article, "wrong word", ["minor", "major", "critical"][i % 3], approve_by=reviewer)
            artifact(annotator, article, "filler1", "major")  # pending: not counted

    def list_queries(query: str = "") -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            html = client.get(f"{LIST_URL}{query}").content.decode()
        return len(context.captured_queries), html.count('class="field-quality"')

    add_articles(0, 5)
    five, rows = list_queries()
    assert rows == 5
    add_articles(5, 15)
    twenty, rows = list_queries()
    assert rows == 20
    assert twenty == five, f"{five} queries for 5 articles, {twenty} for 20"
    column = quality_column(client.get(LIST_URL).content.decode())
    sorted_and_filtered, rows = list_queries(f"?o=-{column}&quality=failed")
    assert (rows, sorted_and_filtered) == (20, five)  # even a minor error in under 100 words fails 99


# --- the article page --------------------------------------------------------------------------------------------


def desk_html(client, article) -> str:
    return client.get(reverse("admin:annotations_article_change", args=[article.pk])).content.decode()


def panel_of(html: str) -> str:
    return html.split('id="desk-quality"')[1].split("</section>")[0]


def test_the_article_page_lists_the_errors_that_make_the_score(annotator, reviewer, browser_for):
    """Score, verdict, threshold, words, penalty, per 1,000 words and counts; then each error costliest
    first with its artifact type, MQM type, severity and penalty; a pending artifact is not listed."""
    article = make_article("Page", 400, "Zelensky met", "the the", "Kishida said")
    critical = artifact(annotator, article, "Zelensky", "critical", "wrong_referent", approve_by=reviewer)
    minor = artifact(annotator, article, "the the", "minor", "grammar", approve_by=reviewer)
    major = artifact(annotator, article, "Kishida", "major", "untranslated", approve_by=reviewer)
    pending = artifact(annotator, article, "said", "critical", "omission")
    panel = panel_of(desk_html(browser_for(reviewer), article))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel))

    penalty = 25 + 5 + 1
    assert f"{100 * (1 - penalty / 400):.2f}" == "92.25"
    assert "92.25 fail" in text
    assert "below the pass threshold of 99" in text
    assert "Words 400" in text and "Penalty points 31" in text
    assert f"Per 1,000 words {penalty * 1000 / 400:.2f}" in text
    assert "Minor 1 Major 1 Critical 1" in text
    assert "Only approved translation artifacts that no revision has fixed count" in text

    rows = re.findall(r'<tr id="desk-quality-error-(\d+)">(.*?)</tr>', panel, re.S)
    assert [int(pk) for pk, _ in rows] == [critical.pk, major.pk, minor.pk]  # costliest first
    cells = [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for _, row in rows
    ]
    assert cells == [
        ["Zelensky", "Wrong referent (person, group or place)", "Accuracy/Mistranslation/Entity", "Critical", "25"],
        ["Kishida", "Untranslated", "Accuracy/Untranslated", "Major", "5"],
        ["the the", "Grammar", "Fluency/Grammar", "Minor", "1"],
    ]
    assert reverse("admin:annotations_annotation_change", args=[critical.pk]) in rows[0][1]
    assert f"desk-quality-error-{pending.pk}" not in panel


def test_an_article_without_errors_says_so(annotator, reviewer, browser_for):
    """A clean article scores 100 and passes, and the panel says there is no error to list."""
    article = make_article("Clean", 30, "a fine text")
    artifact(annotator, article, "fine", "critical")  # pending
    html = desk_html(browser_for(annotator), article)
    panel = panel_of(html)
    assert "No approved translation errors." in panel
    assert ">100.00<" in panel and "desk-verdict-pass" in panel
    assert 'id="desk-quality-line"' in html


def test_approving_from_the_page_answers_the_new_quality(annotator, reviewer, browser_for):
    """The page's review answers its quality panel and line afresh, as the approval changed them."""
    article = make_article("Live", 100, "Zelensky")
    made = artifact(annotator, article, "Zelensky", "major")
    url = reverse("admin:annotations_article_review", args=[article.pk])
    response = browser_for(reviewer).post(url, {"annotation": made.pk, "decision": "approve"})
    assert response.status_code == 200
    data = response.json()
    assert f"{100 * (1 - 5 / 100):.2f}" == "95.00"
    assert ">95.00<" in data["quality"] and f'id="desk-quality-error-{made.pk}"' in data["quality"]
    assert ">95.00<" in data["quality_line"] and "1 error counted" in data["quality_line"]


def test_the_article_page_costs_the_same_queries_for_1_and_for_4_errors(annotator, reviewer, browser_for):
    """The panel's errors are one query, not one per error; the article's tally is read with the article."""
    client = browser_for(reviewer)
    words = ["alpha", "beta", "gamma", "delta"]
    article = make_article("Costs", 100, *words)
    artifact(annotator, article, "alpha", "minor", approve_by=reviewer)

    def page_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as context:
            html = desk_html(client, article)
        return len(context.captured_queries), html.count('<tr id="desk-quality-error-')

    one, rows = page_queries()
    assert rows == 1
    for word in words[1:]:
        artifact(annotator, article, word, "major", approve_by=reviewer)
    four, rows = page_queries()
    assert (four, rows) == (one, 4)
