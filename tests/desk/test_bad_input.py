"""The desk refuses what the API refuses, and a NUL in a filter or a search is never a 500."""

import pytest
from django.urls import reverse

ARTICLES = reverse("admin:annotations_article_changelist")
ANNOTATIONS = reverse("admin:annotations_annotation_changelist")
DELETED = reverse("admin:annotations_deletedannotation_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


@pytest.mark.parametrize(
    "url",
    [
        f"{ARTICLES}?source=%00",
        f"{ARTICLES}?language=%00",
        f"{ANNOTATIONS}?source=%00",
        f"{ANNOTATIONS}?created_by=%00",
    ],
)
def test_a_nul_in_a_filter_is_the_invalid_filter_page(approved, reviewer, browser_for, url):
    """Django's admin answers an invalid filter by reloading the list with ?e=1."""
    response = browser_for(reviewer).get(url)
    assert (response.status_code, response["Location"]) == (302, url.split("?")[0] + "?e=1")


@pytest.mark.parametrize("url", [f"{ARTICLES}?q=%00", f"{ANNOTATIONS}?q=Kyodo%00", f"{DELETED}?q=%00"])
def test_a_nul_in_the_search_box_is_refused_with_a_message(seed_articles, reviewer, browser_for, url):
    """Django's own search form refuses it (and lists everything), never a 500."""
    response = browser_for(reviewer).get(url)
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == ["Null characters are not allowed."]


def test_a_nul_in_the_article_autocomplete_finds_nothing(seed_articles, annotator, browser_for):
    params = {"app_label": "annotations", "model_name": "annotation", "field_name": "article", "term": "\x00"}
    response = browser_for(annotator).get(AUTOCOMPLETE, params)
    assert (response.status_code, response.json()) == (200, {"results": [], "pagination": {"more": False}})


def test_the_autocomplete_still_finds_articles(seed_articles, annotator, browser_for):
    params = {"app_label": "annotations", "model_name": "annotation", "field_name": "article", "term": "Ukraine"}
    response = browser_for(annotator).get(AUTOCOMPLETE, params)
    assert response.status_code == 200 and len(response.json()["results"]) >= 1


@pytest.mark.parametrize("language", ["english", "e", "en_GB", "en-"])
def test_a_language_tag_the_api_refuses_the_desk_refuses_too(annotator, browser_for, client_for, language):
    article = {"title": "Tagged", "body": "A body.", "language": language}
    api = client_for(annotator).post("/api/articles/", article)
    assert (api.status_code, api.json()) == (
        400,
        {"language": ["Enter a BCP 47 language tag such as en, id or pt-BR."]},
    )
    desk = browser_for(annotator).post(reverse("admin:annotations_article_add"), article)
    assert desk.status_code == 200
    assert desk.context["adminform"].form.errors == {
        "language": ["Enter a BCP 47 language tag such as en, id or pt-BR."]
    }


def test_an_article_s_language_edited_on_the_desk_is_checked(seed_articles, admin_user, browser_for):
    article = seed_articles[0]
    url = reverse("admin:annotations_article_change", args=[article.pk])
    form = {"title": article.title, "source": article.source, "url": article.url, "language": "not a tag"}
    response = browser_for(admin_user).post(url, form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["language"] == [
        "Enter a BCP 47 language tag such as en, id or pt-BR."
    ]
