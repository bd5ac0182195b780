import getpass

from django.core.management.base import BaseCommand, CommandError

from privacy.retention import apply_retention, owner_alias


class Command(BaseCommand):
    help = ("Anonymise closed cases past their retention period, in the records and the audit "
            "trail, and leave a tombstone for each. Safe to run daily: anonymised cases are "
            "skipped. Run it with --dry-run first. See docs/operations.md#retention.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="List the cases that would be anonymised, and change nothing.")
        parser.add_argument("--database", default=None,
                            help="The connection to write through (default: owner, if set).")

    def handle(self, *args, dry_run=False, database=None, **options):
        run = apply_retention(dry_run=dry_run, run_by=_run_by(),
                              using=database or owner_alias())
        summary = run.summary
        if options["verbosity"] >= 1:
            verb = "Would anonymise" if dry_run else "Anonymised"
            self.stdout.write(f"Cases closed on or before {summary['closed_on_or_before']} "
                              f"({summary['closed_case_years']} years).")
            for reference in summary["cases"]:
                self.stdout.write(f"{verb} {reference}")
            self.stdout.write(f"{verb} {len(summary['cases'])} cases.")
            for label, count in summary["counts"].items():
                self.stdout.write(f"  {label}: {count}")
        if summary["failed"]:
            raise CommandError(f"Could not anonymise {', '.join(summary['failed'])}: see the log. "
                               "Nothing of those cases was changed.")


def _run_by() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
