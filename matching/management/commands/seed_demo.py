import json
import time

from django.core.management.base import BaseCommand, CommandError

from accounts.demo import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoBuilder,
    DemoSizes,
    demo_authenticator,
    demo_is_loaded,
)
from matching.demo import BrokeringDemo
from projects.demo import ProposalDemo


class Command(BaseCommand):
    help = "Load realistic synthetic demo data with one known login per role (same seed, same data)."

    def add_arguments(self, parser):
        parser.add_argument("--employers", type=int, default=60)
        parser.add_argument("--universities", type=int, default=120)
        parser.add_argument(
            "--projects",
            type=int,
            default=300,
            help="Proposals over two call rounds, most of them published.",
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, employers, universities, projects, seed, **options):
        if employers < 2 or universities < 1 or projects < 0:
            raise CommandError("Need at least 2 employers and 1 university for the demo logins.")
        if demo_is_loaded():
            self.stdout.write("Demo data is already loaded.")
        else:
            started = time.perf_counter()
            builder = DemoBuilder(DemoSizes(employers, universities, seed))
            counts = builder.build()
            counts.update(ProposalDemo(builder.rng, projects).build())
            counts.update(BrokeringDemo(builder.rng).build())
            counts["seconds"] = round(time.perf_counter() - started, 2)
            self.stdout.write(json.dumps(counts))
        demo_authenticator()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, who in DEMO_LOGINS.items():
            self.stdout.write(f"  {username:<12} {who}")
        self.stdout.write(
            "Ministry staff sign in with a second factor: for the demo login, "
            "`make otp` prints the current code (or enrol your own app: remove "
            "the demo authenticator in the admin and sign in again)."
        )
