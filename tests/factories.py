"""Factories (factory_boy) for users, articles and annotations, made the way the application makes them.

Everything is stored through the services, so a made object obeys every rule the
application enforces (roles, normalised bodies, checked spans, four eyes, history):

- `UserFactory(role="annotator", username=...)`: a user in exactly one role group
  (`services.users.assign_role`); the password is the username. Create only.
- `ArticleFactory(title=..., body=..., source=..., ...)`: an article stored by
  `services.articles.article_create` (body normalised, `content_sha256` set); each
  made article has a body of its own unless one is given.
- `AnnotationFactory(article=..., created_by=..., kind=..., quote=... | start=..., end=...)`:
  an annotation made by `annotation_create`. Without a span, it takes the first
  one-code-point span of the article that no annotation starts at, so
  `create_batch(n, article=...)` needs no offsets. `status="approved"` (or the
  trait `approved=True`) then approves it by `reviewed_by`, a reviewer who is not the
  author (a new one if none is given); `status="rejected"` rejects it with
  `review_comment`. It returns the annotation as the last service left it.
- `ApprovedClaimFactory`: an `AnnotationFactory` claim, approved.
- `ClaimRowFactory`: for volume tests only, where the services' dozen queries a row
  would be most of the test's time: an unsaved one-code-point claim row (approved by
  default) at offset `at`, with the span, context and review fields the services
  would store, but no history. `bulk_claims(n, ...)` bulk-inserts n of them.
- `span_of(body, quote, nth=0)`: the offsets of the nth occurrence of `quote` in
  `body`, for tests that give offsets: they come from the text, never counted by hand.
"""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from annotations.domain.roles import Role
from annotations.domain.spans import span_fields
from annotations.models import Annotation, Article, Status
from annotations.services.annotations import annotation_create
from annotations.services.articles import article_create
from annotations.services.reviews import annotation_approve, annotation_reject
from annotations.services.users import assign_role

# The mixed-script body of the `article` fixture: a flag emoji (two code points), Cyrillic
# and an emoji before later spans, so UTF-16 offsets and code points disagree.
MIXED_SCRIPTS_BODY = "Prime Minister 🇯🇵 Fumio Kishida met Зеленский in Kyiv 🙂. Kyiv was calm.\nThe end."


def span_of(body: str, quote: str, nth: int = 0) -> dict[str, int]:
    """{"start": ..., "end": ...} of the nth occurrence (from 0) of quote in body."""
    start = -1
    for _ in range(nth + 1):
        start = body.index(quote, start + 1)
    return {"start": start, "end": start + len(quote)}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    role = "annotator"
    username = factory.LazyAttributeSequence(lambda o, n: f"{o.role}-{n + 1}")

    @classmethod
    def _create(cls, model_class, *args, role: str, **kwargs):
        kwargs.setdefault("password", kwargs["username"])
        user = model_class._default_manager.create_user(*args, **kwargs)
        assign_role(user, Role.from_name(role))
        return user


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"The body of article {n}, written for a test.")
    source = "Test Wire"
    language = "en"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return article_create(**kwargs)


def _free_one_code_point_span(article: Article) -> tuple[int, int]:
    taken = set(Annotation.objects.filter(article=article).values_list("start", flat=True))
    start = next((at for at in range(len(article.body)) if at not in taken), None)
    if start is None:
        raise ValueError(f"every code point of article {article.pk} already starts an annotation")
    return start, start + 1


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    class Params:
        approved = factory.Trait(status=Status.APPROVED)
        rejected = factory.Trait(status=Status.REJECTED, review_comment="Not what the text says.")

    article = factory.SubFactory(ArticleFactory)
    created_by = factory.SubFactory(UserFactory, role="annotator")
    kind = "claim"
    status = Status.PENDING
    reviewed_by = None
    review_comment = ""

    @classmethod
    def _create(cls, model_class, *args, status, reviewed_by, review_comment, created_by, **fields):
        if all(fields.get(key) is None for key in ("start", "end", "quote")):
            fields["start"], fields["end"] = _free_one_code_point_span(fields["article"])
        annotation = annotation_create(actor=created_by, **fields)
        if status == Status.PENDING:
            return annotation
        reviewer = reviewed_by or UserFactory(role="reviewer")
        if status == Status.APPROVED:
            return annotation_approve(actor=reviewer, annotation_id=annotation.pk, comment=review_comment)
        if status == Status.REJECTED:
            return annotation_reject(actor=reviewer, annotation_id=annotation.pk, comment=review_comment)
        raise ValueError(f"AnnotationFactory makes pending, approved or rejected annotations, not {status!r}")


class ApprovedClaimFactory(AnnotationFactory):
    kind = "claim"
    status = Status.APPROVED


class ClaimRowFactory(factory.django.DjangoModelFactory):
    """An unsaved one-code-point claim at offset `at`, as the services would store it; no history."""

    class Meta:
        model = Annotation

    class Params:
        at = 0
        span = factory.LazyAttribute(lambda o: span_fields(o.article.body, start=o.at, end=o.at + 1, quote=None))

    kind = "claim"
    start = factory.LazyAttribute(lambda o: o.span["start"])
    end = factory.LazyAttribute(lambda o: o.span["end"])
    quote = factory.LazyAttribute(lambda o: o.span["quote"])
    prefix = factory.LazyAttribute(lambda o: o.span["prefix"])
    suffix = factory.LazyAttribute(lambda o: o.span["suffix"])
    status = Status.APPROVED
    reviewed_at = factory.LazyAttribute(lambda o: None if o.status == Status.PENDING else timezone.now())


def bulk_claims(n: int, *, created_by, reviewed_by, article: Article | None = None, **fields) -> list[Annotation]:
    """n claims (approved unless `status` says otherwise) on code points 0..n-1 of `article`, in one
    bulk insert; the article is a new one of n + 1 Cyrillic letters if none is given."""
    if article is None:
        article = ArticleFactory(body="".join(chr(0x410 + i % 32) for i in range(n + 1)))
    pending = fields.get("status") == Status.PENDING
    rows = [
        ClaimRowFactory.build(
            article=article, at=at, created_by=created_by, reviewed_by=None if pending else reviewed_by, **fields
        )
        for at in range(n)
    ]
    return Annotation.objects.bulk_create(rows)
