from django.core.management.base import BaseCommand, CommandError

from accounts.database_roles import (
    ADD_ONLY,
    READ_WRITE,
    grant_runtime_role,
    owner_role_name,
    runtime_role_name,
)


class Command(BaseCommand):
    help = ("Give the runtime database role (DATABASE_URL's user) exactly what the app needs: "
            "read and write the records, only read and add to the audit trail. Run it as the "
            "owner after every migrate. See docs/operations.md#database-roles.")

    def add_arguments(self, parser):
        parser.add_argument("--role", help="The runtime role (default: DATABASE_URL's user).")
        parser.add_argument("--database", default="owner",
                            help="The connection to grant through: the owner (default: owner).")

    def handle(self, *args, role=None, database="owner", **options):
        role = role or runtime_role_name()
        if role == owner_role_name(database):
            if options["verbosity"] < 1:
                return
            self.stdout.write(self.style.WARNING(
                f"The app connects as {role}, which owns the tables: nothing to grant. Set "
                "DATABASE_OWNER_URL to the owner and DATABASE_URL to a runtime role of its own."))
            return
        try:
            granted = grant_runtime_role(role, using=database)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] < 1:
            return
        read_write = sum(1 for allowed in granted.values() if allowed == READ_WRITE)
        add_only = sorted(table for table, allowed in granted.items() if allowed == ADD_ONLY)
        other = sorted(f"{table} ({', '.join(sorted(allowed))})"
                       for table, allowed in granted.items()
                       if allowed not in (READ_WRITE, ADD_ONLY))
        self.stdout.write(f"{role}: read and write on {read_write} tables.")
        self.stdout.write(f"{role}: read and add only on {len(add_only)} audit tables: "
                          f"{', '.join(add_only)}.")
        self.stdout.write(f"{role}: limited on {', '.join(other)}.")
        self.stdout.write(self.style.SUCCESS(f"{role} can no longer change the audit trail."))
