"""The desk's deleted annotations: each as it was, with its whole history, read-only."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from annotations.models import DeletedAnnotation

from .filters import NulSafeSearch


@admin.register(DeletedAnnotation)
class DeletedAnnotationAdmin(NulSafeSearch, admin.ModelAdmin):
    """Annotations deleted through the services, each as it was with its whole history."""

    list_display = ["short_quote", "kind", "article_link", "author", "deleter", "deleted_at", "former_id"]
    list_select_related = ["article", "created_by", "deleted_by"]
    list_filter = ["kind", "deleted_at"]
    search_fields = ["quote", "article__title"]
    search_help_text = "Search the quote and the article's title."
    date_hierarchy = "deleted_at"
    fields = readonly_fields = [
        *["former_id", "article_link", "kind", "quote", "author", "deleter", "deleted_at"],
        *["stored_fields", "history_table"],
    ]
    user_fields = {"created_by", "reviewed_by", "actor"}  # stored as ids; shown as usernames

    def get_queryset(self, request):
        deleted = super().get_queryset(request).select_related("article", "created_by", "deleted_by")
        return deleted.defer("article__body")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, deleted: DeletedAnnotation) -> str:
        return Truncator(deleted.quote).chars(80)

    @admin.display(description="article", ordering="article__title")
    def article_link(self, deleted: DeletedAnnotation) -> str:
        url = reverse("admin:annotations_article_change", args=[deleted.article_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(deleted.article.title).chars(60))

    @admin.display(description="author", ordering="created_by__username")
    def author(self, deleted: DeletedAnnotation) -> str:
        return deleted.created_by.get_username()

    @admin.display(description="deleted by", ordering="deleted_by__username")
    def deleter(self, deleted: DeletedAnnotation) -> str:
        return deleted.deleted_by.get_username()

    @admin.display(description="as it was")
    def stored_fields(self, deleted: DeletedAnnotation) -> str:
        names = self._usernames(deleted)
        rows = [(name, self._shown(name, value, names)) for name, value in deleted.fields.items()]
        return format_html(
            "<table><tbody>{}</tbody></table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows)
        )

    @admin.display(description="history")
    def history_table(self, deleted: DeletedAnnotation) -> str:
        names = self._usernames(deleted)
        columns = ["at", "action", "actor", "from_status", "to_status", "comment"]
        rows = [[self._shown(name, event[name], names) for name in columns] for event in deleted.history]
        rows.append([json_time(deleted.deleted_at), "deleted", deleted.deleted_by.get_username(), "", "", ""])
        return format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join("", "<th>{}</th>", ([name.replace("_status", "")] for name in columns)),
            format_html_join("", "<tr>" + "<td>{}</td>" * len(columns) + "</tr>", rows),
        )

    def _usernames(self, deleted: DeletedAnnotation) -> dict:
        """The usernames of every user the record names: one query, kept on the record for
        both tables of its page."""
        if not hasattr(deleted, "_usernames"):
            ids = {deleted.fields.get(name) for name in self.user_fields}
            ids |= {event["actor"] for event in deleted.history}
            users = get_user_model().objects.filter(pk__in=ids - {None})
            deleted._usernames = dict(users.values_list("pk", "username"))
        return deleted._usernames

    def _shown(self, name: str, value, usernames: dict) -> str:
        if value in ("", None):
            return "—"
        return usernames.get(value, value) if name in self.user_fields else value


def json_time(moment) -> str:
    """A time as DjangoJSONEncoder wrote the stored ones."""
    return DjangoJSONEncoder().default(moment)
