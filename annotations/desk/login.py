"""The desk's sign-in form: a consumer with the right password is told where consumers work
(the API), rather than that the password is wrong."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from annotations.domain.roles import Role
from annotations.selectors.users import user_role


class DeskLoginForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user):
        # Only reached once the password is right: a wrong one never learns the account's role.
        if user.is_active and not user.is_staff and user_role(user) == Role.CONSUMER:
            docs = reverse("docs")
            raise ValidationError(
                format_html(
                    "Your password is right, but the desk is for annotators and reviewers. Consumers read "
                    'the approved annotations through the API, with a token: see <a href="{}">{}</a>.',
                    docs,
                    docs,
                ),
                code="consumer",
            )
        super().confirm_login_allowed(user)
