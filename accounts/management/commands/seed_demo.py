"""Demo data: a council's team with a user per role, plus whatever each app adds.

Each app may have a `demo.py` with `seed(demo: DemoContext)`; they run in dependency order.
Idempotent: running it again changes nothing that is already there.
"""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_USERS, seed_accounts
from accounts.services import roles_apply

APP_ORDER = ["caseload", "purchases", "issues", "debriefs"]


class Command(BaseCommand):
    help = "Create demo data: a team, a user per role, and six months of the team's work."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Run even outside development (never on real data).")

    def handle(self, *args, force=False, **options):
        if not (settings.DEVELOPMENT or force):
            raise CommandError("seed_demo adds made-up people; it runs only with "
                               "LIBERATED_ENV=development (or --force on a training copy).")
        roles_apply()
        with transaction.atomic():
            demo = seed_accounts()
            for label in APP_ORDER:
                module_name = f"{apps.get_app_config(label).name}.demo"
                if importlib.util.find_spec(module_name):
                    importlib.import_module(module_name).seed(demo)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for {demo.team.name}."))
        self.stdout.write("Sign in at http://127.0.0.1:8000/ as any of:")
        for username, _first, _last, roles, _in_team in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {', '.join(r.label for r in roles)}")
        self.stdout.write(f"Password for all of them: {DEMO_PASSWORD}")
        self.stdout.write("lee, audrey and ada also need a two-step code: run `make demo-code` "
                          "(or add the key JBSWY3DPEHPK3PXP to an authenticator app).")
