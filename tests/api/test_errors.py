"""Every API error is JSON in DRF's shapes, whatever failed: the body, the database, the code."""

import io
import json
from unittest import mock

import pytest
from django.db.utils import OperationalError
from rest_framework.test import APIClient

LIST = "/api/annotations/"


def deep(levels: int) -> str:
    return '{"note": ' + "[" * levels + "]" * levels + "}"


@pytest.mark.parametrize("method", ["post", "patch"])
def test_json_nested_too_deep_is_a_400(client_for, annotator, make_annotation, article, method):
    """1,000 levels of nesting (a RecursionError in Python's parser) is bad input, not a 500."""
    annotation = make_annotation(annotator, article, quote="The end")
    url = LIST if method == "post" else f"{LIST}{annotation.pk}/"
    response = getattr(client_for(annotator), method)(url, deep(1000), content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"detail": "JSON parse error - nested too deeply."})


def test_an_integer_of_5000_digits_is_a_400(client_for, annotator, article):
    body = '{"article": %d, "kind": "claim", "start": 1%s}' % (article.pk, "0" * 5000)  # noqa: UP031
    response = client_for(annotator).post(LIST, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - Exceeds the limit (4300 digits)")


def test_a_body_over_the_upload_limit_is_a_json_413(client_for, annotator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"title": "Big", "body": "x" * 2000})
    response = client_for(annotator).post("/api/articles/", body, content_type="application/json")
    assert (response.status_code, response.json()) == (413, {"detail": "The request body is larger than 1,000 bytes."})


def chunked(client, path: str, body: bytes, **extra):
    """POST `body` as a server that decoded a chunked request hands it on: no Content-Length,
    and an input stream that ends where the body ends."""
    return client.post(
        path,
        body,
        content_type="application/json",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
        **extra,
    )


def test_a_chunked_body_is_read(client_for, annotator):
    """A chunked request body (no Content-Length) was read as empty: 'title: required'."""
    body = json.dumps({"title": "Chunked", "body": "Sent in chunks."}).encode()
    response = chunked(client_for(annotator), "/api/articles/", body, **{"wsgi.input_terminated": True})
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "Chunked"


def test_a_chunked_body_over_the_limit_is_a_413(client_for, annotator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    body = json.dumps({"title": "Chunked", "body": "x" * 200}).encode()
    response = chunked(client_for(annotator), "/api/articles/", body, **{"wsgi.input_terminated": True})
    assert (response.status_code, response.json()) == (413, {"detail": "The request body is larger than 100 bytes."})


def test_a_chunked_body_a_server_cannot_delimit_is_a_411(client_for, annotator):
    response = chunked(client_for(annotator), "/api/articles/", b'{"title": "x"}')
    assert (response.status_code, response.json()) == (411, {"detail": "Send the body with a Content-Length."})


def test_a_database_that_fails_is_a_json_503(client_for, consumer):
    client = client_for(consumer)
    client.raise_request_exception = False
    with mock.patch(
        "annotations.api.annotations.annotations_visible_to", side_effect=OperationalError("server closed")
    ):
        response = client.get(LIST)
    assert (response.status_code, response.json()) == (
        503,
        {"detail": "The database did not answer; try again shortly."},
    )
    assert response["Retry-After"] == "5"


def test_an_unexpected_error_is_a_json_500(client_for, consumer):
    client = client_for(consumer)
    client.raise_request_exception = False
    with mock.patch("annotations.api.annotations.annotations_visible_to", side_effect=RuntimeError("bug")):
        response = client.get(LIST)
    assert (response.status_code, response.json()) == (500, {"detail": "Internal server error."})


def test_an_unexpected_error_still_raises_in_tests(client_for, consumer):
    """Answered in JSON, but signalled as Django does: a test client sees the exception."""
    with (
        mock.patch("annotations.api.annotations.annotations_visible_to", side_effect=RuntimeError("bug")),
        pytest.raises(RuntimeError, match="bug"),
    ):
        client_for(consumer).get(LIST)


def test_an_unknown_api_path_is_a_json_404(client_for, consumer):
    response = client_for(consumer).get("/api/no-such-thing/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_an_unknown_desk_path_is_still_html(db):
    response = APIClient().get("/admin-nowhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
