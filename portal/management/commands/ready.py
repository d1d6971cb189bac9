import logging

from django.core.management.base import BaseCommand, CommandError

from portal.health import readiness

CHECKS = ("Database", "Outbox", "Redis", "Ping", "Beat")


class Command(BaseCommand):
    help = (
        "Run /readyz's checks here, all or those named (Database Outbox Redis Ping Beat), and "
        "print each one's state; exit status 1 when one fails (a container's health check)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("checks", nargs="*", metavar="check")

    def handle(self, *args, checks, **options):
        if unknown := set(checks) - set(CHECKS):
            raise CommandError(
                f"No such check: {', '.join(sorted(unknown))} (the checks: {', '.join(CHECKS)})."
            )
        # The states printed say what failed; the library's tracebacks would bury them in a
        # container's health log.
        logging.getLogger("health_check").setLevel(logging.ERROR)
        states = readiness(checks)
        if not states:
            raise CommandError(f"None of {', '.join(checks)} is checked here (REDIS_URL is not set).")
        for name, state in states.items():
            self.stdout.write(f"{name}: {state}")
        if failed := [name.split("(")[0] for name, state in states.items() if state != "OK"]:
            raise CommandError(f"Not ready: {', '.join(failed)}.")
