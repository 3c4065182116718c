"""Users on the desk: Django's own screens, but a username, once given, stays.

Exports and the change feed name people by username (created_by, reviewed_by): renaming
someone would change every record that names them without a change in the feed, and
downstream mirrors would go silently out of date. A person who must be called otherwise
gets a new account.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class DeskUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "username"] if obj is not None else readonly
