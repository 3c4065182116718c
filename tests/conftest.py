"""Shared fixtures.

- `make_user(role, username=None)`: a user in one role group (consumer, annotator, reviewer, admin).
- `annotator`, `other_annotator`, `reviewer`, `other_reviewer`, `consumer`, `admin_user`: one of each.
- `client_for(user)`: a DRF APIClient authenticated with the user's API token.
- `browser_for(user)`: a Django test client logged in to the admin site as the user.
- `seed_articles`: the three articles of seeds/, imported as `import_articles` would.
- `article`: a small article whose body mixes ASCII, Cyrillic and emoji.
- `make_annotation(actor, article, **fields)`: an annotation created through the service.
- `w3c_validator`: the W3C Web Annotation test suite's `validate.py` as a module. The schemas
  are the W3C's, outside this repository: found in `$COPYDESK_W3C_TESTS` or `../shared/w3c/`
  beside the clone. Tests that need it skip where it is missing, and fail there instead
  when `COPYDESK_REQUIRE_W3C=1` (CI sets it).
"""

import importlib.util
import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.domain.roles import Role
from annotations.interchange.articles import find_files, parse_file
from annotations.models import Article
from annotations.services.annotations import annotation_create
from annotations.services.articles import article_create
from annotations.services.imports import articles_import
from annotations.services.users import assign_role

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
W3C_TESTS = Path(os.environ.get("COPYDESK_W3C_TESTS") or Path(__file__).resolve().parents[2] / "shared" / "w3c")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    # Hashing demo passwords with the production hasher costs a third of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    def make(role: str, username: str | None = None):
        username = username or f"{role}-{get_user_model().objects.count() + 1}"
        user = get_user_model().objects.create_user(username=username, password=username)
        assign_role(user, Role.from_name(role))
        return user

    return make


@pytest.fixture
def annotator(make_user):
    return make_user("annotator", "alice")


@pytest.fixture
def other_annotator(make_user):
    return make_user("annotator", "carol")


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", "bob")


@pytest.fixture
def other_reviewer(make_user):
    return make_user("reviewer", "dave")


@pytest.fixture
def consumer(make_user):
    return make_user("consumer", "erin")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", "root")


@pytest.fixture
def client_for(db):
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def seed_articles(db):
    parsed = [parse_file(path) for path in find_files([SEEDS])]
    articles_import([p.records for p in parsed])
    return list(Article.objects.order_by("imported_from"))


@pytest.fixture
def article(db):
    return article_create(
        title="Mixed scripts",
        body="Prime Minister 🇯🇵 Fumio Kishida met Зеленский in Kyiv 🙂. Kyiv was calm.\nThe end.",
        source="Test Wire",
        language="en",
    )


@pytest.fixture
def make_annotation():
    def make(actor, article, **fields):
        fields.setdefault("kind", "claim")
        return annotation_create(actor=actor, article=article, **fields)

    return make


@pytest.fixture
def browser_for(db):
    """`browser_for(user)`: a Django test client logged in to the admin site as the user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(scope="session")
def w3c_validator():
    validate = W3C_TESTS / "validate.py"
    if not validate.is_file():
        reason = (
            f"the W3C Web Annotation test schemas are not at {W3C_TESTS}: to run these checks, point "
            "COPYDESK_W3C_TESTS at a folder with validate.py and the schemas of w3c/web-annotation-tests"
        )
        if os.environ.get("COPYDESK_REQUIRE_W3C") == "1":
            pytest.fail(f"COPYDESK_REQUIRE_W3C=1, but {reason}")
        pytest.skip(reason)
    spec = importlib.util.spec_from_file_location("w3c_validate", validate)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
