"""The article list's search box reads the articles' text too, not only titles and sources."""

from django.urls import reverse

ARTICLES = reverse("admin:annotations_article_changelist")


def listed_titles(response) -> list[str]:
    return [article.title for article in response.context["cl"].result_list]


def test_a_phrase_from_an_article_body_finds_that_article(seed_articles, reviewer, browser_for):
    """The phrase "State of Sakura" is in one seed article's text and in no title."""
    saying_it = [a for a in seed_articles if "State of Sakura" in a.body]
    assert len(saying_it) == 1 and "Sakura" not in saying_it[0].title
    response = browser_for(reviewer).get(ARTICLES, {"q": "State of Sakura"})
    assert listed_titles(response) == [saying_it[0].title]
    assert "Search the title, the source and the text" in response.content.decode()


def test_every_word_must_occur_somewhere(seed_articles, reviewer, browser_for):
    client = browser_for(reviewer)
    assert listed_titles(client.get(ARTICLES, {"q": "Sakura zzyzx"})) == []
    assert len(listed_titles(client.get(ARTICLES, {"q": "the"}))) == len(seed_articles)
