"""The desk's admin site: Copydesk's name, its sign-in form, and a home that shows the signed-in
user what needs them (selectors/desk.py). INSTALLED_APPS makes it the default site (desk/apps.py)."""

from django.contrib import admin

from annotations.selectors.desk import desk_home

from .login import DeskLoginForm


class DeskSite(admin.AdminSite):
    site_header = "Copydesk"
    site_title = "Copydesk"
    index_title = "Your desk"
    site_url = None  # no "View site": the site is the desk (and the API, which has no pages to view)
    login_form = DeskLoginForm

    def index(self, request, extra_context=None):
        return super().index(request, extra_context={"desk_home": desk_home(request.user), **(extra_context or {})})
