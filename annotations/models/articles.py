"""Articles: a body stored exactly as imported, and its metadata."""

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
