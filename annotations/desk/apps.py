"""The admin application with the desk as its site (Django's way to replace the default site)."""

from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    default_site = "annotations.desk.site.DeskSite"
