"""The desk's admin site: Copydesk's name and its sign-in form. INSTALLED_APPS makes it the
default site (desk/apps.py)."""

from django.contrib import admin

from .login import DeskLoginForm


class DeskSite(admin.AdminSite):
    site_header = "Copydesk"
    site_title = "Copydesk"
    index_title = "Your desk"
    login_form = DeskLoginForm
