"""python manage.py prune_changes: delete the feed's changes (and webhook attempts) older than
CHANGES_RETENTION_DAYS. deliver_webhooks runs it hourly; this is for a cron job, or a deployment
that runs no worker."""

from django.core.management.base import BaseCommand

from annotations.services.feed import prune_changes, retention


class Command(BaseCommand):
    help = "Delete the change feed's changes older than CHANGES_RETENTION_DAYS (the newest is always kept)."

    def handle(self, **_options):
        pruned = prune_changes()
        self.stdout.write(f"Pruned {pruned} changes older than {retention().days} days.")
