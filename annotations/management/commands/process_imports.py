import time

from django.core.management.base import BaseCommand

from annotations.interchange.importing import run_next


class Command(BaseCommand):
    help = "Run the annotation imports queued through the API (large files), oldest first; Ctrl-C stops."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is queued now, then stop")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between looks for new work")

    def handle(self, *args, once, poll, **options):
        try:
            while True:
                record = run_next()
                if record is not None:
                    self.stdout.write(
                        f"import {record.pk} ({record.name or record.format}): {record.state}, "
                        f"{record.annotations_created} annotations, {len(record.errors)} errors"
                    )
                    continue
                if once:
                    return
                time.sleep(poll)
        except KeyboardInterrupt:
            return
