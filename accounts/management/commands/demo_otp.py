from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_DEVICE


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of a demo login, from the authenticator the demo "
        "gave it (demo data only: no real user's authenticator is read)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="ministry")

    def handle(self, *args, username, **options):
        device = TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator (load the demo: make run).")
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        self.stdout.write(f"{code:0{device.digits}d}")
