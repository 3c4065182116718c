from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from annotations.domain.roles import ROLE_NAMES, Role
from annotations.services.users import assign_role


class Command(BaseCommand):
    help = "Create a user or update its role (safe to run again); prints the user's API token last."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLE_NAMES)
        parser.add_argument("--password", help="set this password (otherwise an existing one is kept)")
        parser.add_argument("--email", default="")

    @transaction.atomic
    def handle(self, username, role, password, email, **options):
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        assign_role(user, Role.from_name(role))
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(f"{'created' if created else 'updated'} {username} ({role})")
        self.stdout.write(token.key)
