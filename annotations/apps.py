from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Copydesk"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
        from .services.users import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self)
