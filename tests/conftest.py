"""Shared fixtures and constants; the factories behind them are in tests/factories.py.

Users (passwords are the usernames; roles set by `services.users.assign_role`):
- `make_user(role, username=None)`: a user in one role group (consumer, annotator, reviewer, admin).
- `annotator` (alice), `other_annotator` (carol), `reviewer` (bob), `other_reviewer` (dave),
  `consumer` (erin), `admin_user` (root): one of each.
- `client_for(user)`: a DRF APIClient authenticated with the user's API token (anonymous for None).
- `browser_for(user)`: a Django test client logged in to the admin site as the user.

Articles and annotations, all made through the services:
- `seed_articles`: the three articles of seeds/, imported as `import_articles` would, by file name.
- `article`: "Mixed scripts" from Test Wire, body `factories.MIXED_SCRIPTS_BODY`, which mixes
  ASCII, Cyrillic and emoji (a flag is two code points) and says "Kyiv" twice.
- `make_annotation(actor, article, **fields)`: an annotation by `actor` (a claim unless `kind` says
  otherwise), made by `AnnotationFactory`; `status="approved"` with `reviewed_by` reviews it too.
- `reworked`: alice's claim on `article`, rejected by bob and edited by alice: pending again, three events.
- `approved`: on `article`, the three annotations every export test reads, approved by bob with the
  comment "+ok": an entity (PERSON), a claim with a formula-like claimant and a note with quotes,
  commas and a newline, and an artifact whose correction starts with "-"; beside them a pending
  claim and a rejected entity that no export may show. Returns the three, as stored.

Other:
- Every test (autouse): ALLOWED_HOSTS for the test clients, a fast password hasher, and an
  empty cache (the throttles' counts).
- Package fixtures: services/conftest.py has `pending`, the claim the service tests edit and review.
- `claims`: three pending claims of alice's on `article`; `receiver`: a webhook receiver on
  127.0.0.1 (tests/receiver.py) that the settings let webhooks reach (with a 2 s timeout).
- `w3c_validator`: the W3C Web Annotation test suite's `validate.py` as a module. The schemas
  are the W3C's, outside this repository: found in `$COPYDESK_W3C_TESTS` or `../shared/w3c/`
  beside the clone. Tests that need it skip where it is missing, and fail there instead
  when `COPYDESK_REQUIRE_W3C=1` (CI sets it).
- `SEEDS`: the seeds/ folder. `RECORD_FIELDS`: an export record's fields in order, as API.md
  lists them (written out here, not read from the application, so that a change shows).
"""

import importlib.util
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.interchange.articles import find_files, parse_file
from annotations.models import Annotation, Article
from annotations.services.annotations import annotation_create, annotation_update
from annotations.services.imports import articles_import
from annotations.services.reviews import annotation_reject
from tests.factories import MIXED_SCRIPTS_BODY, AnnotationFactory, ArticleFactory, UserFactory, span_of
from tests.receiver import Receiver

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
RECORD_FIELDS = [
    *["id", "article", "kind", "start", "end", "quote", "entity_type", "artifact_type", "suggested_correction"],
    *["severity", "claimant", "rating", "rating_explanation", "claim_date", "claim_group"],
    *["note", "origin", "model", "confidence"],
    *["status", "created_by", "created_at", "updated_at", "reviewed_by", "reviewed_at"],
    *["review_comment", "revision", "fixed_in_revision"],
    *["article_title", "source", "url", "published_at", "prefix", "suffix", "mqm_error_type"],
]
W3C_TESTS = Path(os.environ.get("COPYDESK_W3C_TESTS") or Path(__file__).resolve().parents[2] / "shared" / "w3c")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    # Hashing demo passwords with the production hasher costs a third of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The throttles count in the cache: every test starts with none spent.
    cache.clear()


@pytest.fixture
def make_user(db):
    def make(role: str, username: str | None = None):
        return UserFactory(role=role, **({"username": username} if username else {}))

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
    return ArticleFactory(title="Mixed scripts", body=MIXED_SCRIPTS_BODY, source="Test Wire", language="en")


@pytest.fixture
def make_annotation(db):
    def make(actor, article, **fields):
        return AnnotationFactory(created_by=actor, article=article, **fields)

    return make


@pytest.fixture
def reworked(annotator, reviewer, article):
    """alice's claim on `article`, rejected by bob and edited by alice: pending again, three events."""
    claim = annotation_create(
        actor=annotator, article=article, kind="claim", quote="Kyiv was calm", claimant="the ministry", note="check"
    )
    annotation_reject(actor=reviewer, annotation_id=claim.pk, comment="span too short")
    annotation_update(actor=annotator, annotation_id=claim.pk, note="checked again")
    return Annotation.objects.get(pk=claim.pk)


@pytest.fixture
def approved(annotator, reviewer, article, make_annotation):
    """The three approved annotations of the exports, and a pending and a rejected one beside them."""
    approve = {"status": "approved", "reviewed_by": reviewer, "review_comment": "+ok"}
    made = [
        make_annotation(annotator, article, kind="entity", quote="Fumio Kishida", entity_type="PERSON", **approve),
        make_annotation(
            annotator,
            article,
            quote="Kyiv was calm",
            claimant="=HYPERLINK()",
            note='Said "calm", twice,\nreally',
            **approve,
        ),
        make_annotation(
            annotator,
            article,
            kind="translation_artifact",
            quote="Зеленский",
            artifact_type="untranslated",
            suggested_correction="-Zelensky",
            **approve,
        ),
    ]
    make_annotation(annotator, article, quote="The end")
    first_kyiv = span_of(article.body, "Kyiv")
    make_annotation(
        annotator,
        article,
        kind="entity",
        entity_type="GPE",
        quote="Kyiv",
        **first_kyiv,
        status="rejected",
        reviewed_by=reviewer,
        review_comment="@wrong",
    )
    return [Annotation.objects.get(pk=a.pk) for a in made]


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


@pytest.fixture
def receiver(settings):
    """A webhook receiver on 127.0.0.1 (tests/receiver.py), which the settings let webhooks reach."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def claims(annotator, article):
    """Three pending claims of alice's on `article`."""
    return [
        annotation_create(actor=annotator, article=article, kind="claim", quote=quote)
        for quote in ("Kyiv was calm", "The end", "Fumio Kishida")
    ]
