"""Load the demo into an empty database and say how to sign in.

The demo is fixtures/*.json (see build_fixtures): the seed articles, the demo
users and the gold annotations with their review history. It only ever goes
into a database without articles, so that nobody's work is overwritten; on
any other database this command says so and changes nothing.
"""

import json
import os

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from rest_framework.authtoken.models import Token

from annotations.models import Annotation, Article, Status
from annotations.selectors.users import user_role
from annotations.services.feed import publish_approved_as_loaded

from .build_fixtures import FIXTURE_FILES, FIXTURES_DIR, USERS_FILE


def demo_usernames() -> list[str]:
    records = json.loads((FIXTURES_DIR / USERS_FILE).read_text(encoding="utf-8"))
    return [record["fields"]["username"] for record in records]


class Command(BaseCommand):
    help = (
        "On a database without articles, load the demo (seed articles, demo users, gold annotations) "
        "and print the demo accounts; on any other database, change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", default=os.environ.get("PORT", "8000"), help="the port the server runs on, for the sign-in URLs"
        )

    def handle(self, *args, port: str, **options):
        usernames = demo_usernames()
        if articles := Article.objects.count():
            self.stdout.write(
                f"The database already holds {articles} article(s), so the demo was not loaded (nothing changed). "
                "To see the demo, start from an empty database."
            )
            return
        # Loading would reset these users' passwords to the demo ones.
        if taken := list(get_user_model().objects.filter(username__in=usernames).values_list("username", flat=True)):
            self.stdout.write(
                f"Users named like the demo accounts already exist ({', '.join(sorted(taken))}), so the demo was "
                "not loaded (nothing changed)."
            )
            return

        with transaction.atomic():
            call_command("loaddata", *(str(FIXTURES_DIR / name) for name in FIXTURE_FILES), verbosity=0)
            users = list(get_user_model().objects.filter(username__in=usernames).order_by("id"))
            tokens = {user.username: Token.objects.get_or_create(user=user)[0].key for user in users}
            publish_approved_as_loaded()  # the fixture's approved annotations, into the change feed (last)

        self._report(users, tokens, port)

    def _report(self, users, tokens: dict[str, str], port: str) -> None:
        by_status = dict(Annotation.objects.values_list("status").annotate(n=Count("id")).order_by())
        counts = ", ".join(f"{by_status.get(status, 0)} {status}" for status in Status.values)
        base = f"http://127.0.0.1:{port}"
        write = self.stdout.write
        write(f"Loaded the demo: {Article.objects.count()} articles, {sum(by_status.values())} annotations ({counts}).")
        write("")
        write("Demo accounts (the password is the user name; for trying Copydesk out, never for real data):")
        write(f"  {'user':<12}{'role':<11}API token")
        for user in users:
            write(f"  {user.username:<12}{user_role(user).group_name:<11}{tokens[user.username]}")
        write("")
        write(f"Admin site: {base}/admin/ (annotators, reviewers and the admin; a consumer uses the API only).")
        write(f'API:        curl -H "Authorization: Token <token>" {base}/api/articles/')
        write(f"API docs:   {base}/api/docs/")
        write("More users: python manage.py adduser NAME --role {consumer,annotator,reviewer,admin} (prints a token).")
        write(f"Changes:    {base}/api/changes/ (the feed a mirror follows); webhooks at {base}/api/webhooks/ and")
        write("            on the admin site; `make run` runs their delivery worker (deliver_webhooks) too.")
