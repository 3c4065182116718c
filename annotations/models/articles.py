"""Articles: a body stored exactly as imported, and its metadata."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

# The API, the desk's forms and the file importer all check a language tag with this.
language_tag = RegexValidator(
    r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", "Enter a BCP 47 language tag such as en, id or pt-BR."
)


class Article(models.Model):
    title = models.CharField(max_length=500)
    body = models.TextField()
    source = models.CharField(max_length=200, blank=True, help_text="Outlet or agency.")
    url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=35, default="en", validators=[language_tag], help_text="BCP 47 tag.")
    published_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    # NULL, not "", for "not imported": API.md promises null here.
    imported_from = models.CharField(max_length=500, null=True, blank=True, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    # body and content_sha256 are this revision's; every revision is an ArticleRevision.
    revision = models.PositiveIntegerField(default=1, editable=False)
    revised_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The body's words (domain/quality.py's count_words), set by the services with the body:
    # what the translation quality score is normed by.
    word_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["source"]),
            models.Index(fields=["language"]),
            models.Index(fields=["published_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class ArticleRevision(models.Model):
    """One version of an article's body, kept for good; the article holds the newest.

    Written by the services with the article (revision 1 on create, n+1 with the
    re-anchoring of the article's annotations); nothing edits it afterwards.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    body = models.TextField()
    # Not unique: an article may return to an earlier body. Another article's may not (services).
    content_sha256 = models.CharField(max_length=64, db_index=True)
    note = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # {"unchanged": n, "moved": n, "fuzzy": n, "fixed": n, "orphaned": n}; null for revision 1.
    reanchoring = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_revision_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="article_revision_number_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} revision {self.number}"


class ArticleErrorTally(models.Model):
    """How many approved, unfixed translation artifacts of one type and severity an article has.

    Kept by the services in the transaction that changes the approved set
    (services/quality.py), so that the article list can score and sort every
    article by its translation quality from a few rows an article, never from
    its annotations; the weights are applied when read, so a change of the
    MQM settings applies at once.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="error_tallies")
    artifact_type = models.CharField(max_length=40)
    severity = models.CharField(max_length=20)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "artifact_type", "severity"], name="article_error_tally_unique"),
            models.CheckConstraint(condition=Q(count__gt=0), name="article_error_tally_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.count} {self.severity} {self.artifact_type}"
