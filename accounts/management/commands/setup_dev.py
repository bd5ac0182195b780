from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Migrate as the owner, grant the runtime database role, apply roles and load the "
            "demo data in one process: what `make run` needs before serving (one start-up "
            "instead of four).")

    def handle(self, *args, **options):
        call_command("migrate", database="owner", interactive=False, verbosity=0)
        call_command("grant_runtime_role", verbosity=0, stdout=self.stdout)
        call_command("setup_roles", verbosity=0, stdout=self.stdout)
        call_command("seed_demo", stdout=self.stdout)
