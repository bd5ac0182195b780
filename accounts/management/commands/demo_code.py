from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from accounts.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = ("Print the current two-step sign-in code for the demo leader, auditor and admin "
            "(development only).")

    def handle(self, *args, **options):
        if not settings.DEVELOPMENT:
            raise CommandError("demo_code works only with LIBERATED_ENV=development.")
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
        self.stdout.write(f"{totp.token():06d}  (changes every 30 seconds)")
