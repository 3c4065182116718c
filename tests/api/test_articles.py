"""The articles endpoints of API.md."""

import pytest

from annotations.domain.articles import body_sha256
from annotations.models import Article
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve


@pytest.fixture
def annotator_client(client_for, annotator):
    return client_for(annotator)


@pytest.mark.django_db
def test_create_article_stores_body_normalised_and_returns_it(annotator_client):
    response = annotator_client.post(
        "/api/articles/",
        {"title": "T", "body": "\ufeffLine one\r\nLine two\r", "source": "Kyodo", "published_at": "2022-03-02"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["body"] == "Line one\nLine two\n"
    assert data["content_sha256"] == body_sha256("Line one\nLine two\n")
    assert data["language"] == "en"
    assert data["published_at"] == "2022-03-02T00:00:00Z"
    assert data["imported_from"] is None
    assert data["annotation_counts"] == {"pending": 0, "approved": 0, "rejected": 0, "orphaned": 0}


@pytest.mark.django_db
def test_same_body_twice_is_409_with_existing_id(annotator_client):
    first = annotator_client.post("/api/articles/", {"title": "A", "body": "Same text."}, format="json").json()
    response = annotator_client.post("/api/articles/", {"title": "B", "body": "Same text."}, format="json")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "An article with this body is already stored.", "id": first["id"]},
    )
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_same_body_with_other_line_endings_is_the_same_article(annotator_client):
    first = annotator_client.post("/api/articles/", {"title": "A", "body": "x\ny"}, format="json").json()
    response = annotator_client.post("/api/articles/", {"title": "A", "body": "x\r\ny"}, format="json")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "An article with this body is already stored.", "id": first["id"]},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"body": "text"}, {"title": ["This field is required."]}),
        ({"title": "t"}, {"body": ["This field is required."]}),
        ({"title": "t", "body": "   \n"}, {"body": ["This field may not be blank."]}),
        ({"title": "t", "body": "x", "url": "not a url"}, {"url": ["Enter a valid URL."]}),
        (
            {"title": "t", "body": "x", "language": "english please"},
            {"language": ["Enter a BCP 47 language tag such as en, id or pt-BR."]},
        ),
        (
            {"title": "t", "body": "x", "published_at": "yesterday"},
            {
                "published_at": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
        ({"title": "t", "body": "x", "colour": "red"}, {"colour": ["Unknown field."]}),
    ],
)
def test_bad_article_input_is_400_naming_the_field(annotator_client, payload, errors):
    """The 400 names the bad field, and that field alone, saying what is wrong."""
    response = annotator_client.post("/api/articles/", payload, format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_consumer_may_read_but_not_create(client_for, consumer, seed_articles):
    client = client_for(consumer)
    assert client.get("/api/articles/").status_code == 200
    assert client.get(f"/api/articles/{seed_articles[0].id}/").status_code == 200
    response = client.post("/api/articles/", {"title": "t", "body": "b"}, format="json")
    assert response.status_code == 403
    assert list(response.json()) == ["detail"]  # the exact wording: test_role_refusals_read_as_english
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_anonymous_is_401(client_for, seed_articles):
    response = client_for().get("/api/articles/")
    assert (response.status_code, response.json()) == (401, {"detail": "Authentication credentials were not provided."})


@pytest.mark.django_db
def test_bad_token_is_401(client_for, seed_articles):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/articles/")
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid token."})


@pytest.mark.django_db
def test_list_leaves_out_body_and_detail_has_it(annotator_client, seed_articles):
    listed = annotator_client.get("/api/articles/").json()
    assert listed["count"] == 3
    assert "body" not in listed["results"][0]
    one = annotator_client.get(f"/api/articles/{seed_articles[0].id}/").json()
    assert one["body"] == seed_articles[0].body


@pytest.mark.django_db
def test_annotation_counts_per_status(annotator_client, annotator, reviewer, seed_articles, make_annotation):
    article = seed_articles[1]
    a = make_annotation(
        annotator, article, quote="State of Sakura", kind="translation_artifact", artifact_type="literal_rendering"
    )
    make_annotation(annotator, article, quote="Kuninori Matsuda", kind="entity", entity_type="PERSON")
    annotation_approve(actor=reviewer, annotation_id=a.id)
    data = annotator_client.get(f"/api/articles/{article.id}/").json()
    assert data["annotation_counts"] == {"pending": 1, "approved": 1, "rejected": 0, "orphaned": 0}
    results = annotator_client.get("/api/articles/").json()["results"]
    listed = {item["id"]: item["annotation_counts"] for item in results}
    assert listed == {
        seed_articles[0].id: {"pending": 0, "approved": 0, "rejected": 0, "orphaned": 0},
        article.id: {"pending": 1, "approved": 1, "rejected": 0, "orphaned": 0},
        seed_articles[2].id: {"pending": 0, "approved": 0, "rejected": 0, "orphaned": 0},
    }


@pytest.mark.django_db
def test_list_filters(annotator_client, seed_articles):
    def titles(query):
        response = annotator_client.get(f"/api/articles/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(a["imported_from"] for a in response.json()["results"])

    assert titles("source=Kyodo%20News") == ["000_341965346715e028.txt"]
    assert titles("published_after=2022-02-01") == ["000_341965346715e028.txt", "001_9f5891fc28e701af.txt"]
    assert titles("published_before=2022-02-01") == ["002_99f075d83cde7e46.txt"]
    assert titles("q=sakura") == ["001_9f5891fc28e701af.txt"]
    assert titles("q=Kishida%20Morawiecki") == ["000_341965346715e028.txt"]
    assert titles("language=fr") == []
    response = annotator_client.get("/api/articles/?published_after=soon")
    assert (response.status_code, response.json()) == (400, {"published_after": ["Enter a valid date/time."]})


@pytest.mark.django_db
def test_article_list_query_count_is_fixed(annotator_client, annotator, seed_articles, django_assert_max_num_queries):
    for n in range(30):
        article_create(title=f"t{n}", body=f"body {n}")
    # token + user, role, page (annotation counts included), count
    with django_assert_max_num_queries(4):
        response = annotator_client.get("/api/articles/?page_size=500")
    assert response.json()["count"] == 33


@pytest.mark.django_db
def test_unknown_article_is_404(annotator_client):
    response = annotator_client.get("/api/articles/999999/")
    assert (response.status_code, response.json()) == (404, {"detail": "No Article matches the given query."})
