from django.core.management.base import BaseCommand

from accounts.services import roles_apply


class Command(BaseCommand):
    help = "Create the role groups and give each exactly the permissions defined in accounts/roles.py."

    def handle(self, *args, **options):
        for role, count in roles_apply().items():
            if options["verbosity"] < 1:
                continue
            self.stdout.write(f"{role}: {count} permissions")
