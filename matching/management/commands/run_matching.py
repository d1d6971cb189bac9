import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from matching.models import DEFAULT_MIN_AREA_FIT
from matching.services import match_run_create, match_run_execute
from projects.models import Call


class Command(BaseCommand):
    help = "Run matching for a call and print a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("--call", required=True, help="The call round's short name (slug).")
        parser.add_argument("--k", type=int, default=20, help="Universities per project.")
        parser.add_argument("--m", type=int, default=50, help="Projects per university.")
        parser.add_argument(
            "--weights",
            default="{}",
            help='JSON, e.g. {"area": 0.6, "capacity": 0.15, "region": 0.15, "interest": 0.1}',
        )
        parser.add_argument(
            "--min-area-fit",
            type=float,
            default=DEFAULT_MIN_AREA_FIT,
            help="The AI-fit floor, 0 to 1: pairs below it are never proposed "
            "(mutual-interest pairs excepted).",
        )
        parser.add_argument("--shards", type=int, default=1)
        parser.add_argument(
            "--inline", action="store_true", help="Compute here instead of on a Celery worker."
        )

    def handle(self, *args, call, k, m, weights, min_area_fit, shards, inline, **options):
        found = Call.objects.filter(slug=call).first()
        if found is None:
            raise CommandError(f"No call round has the short name {call!r}.")
        staff = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if staff is None:
            raise CommandError("A run is made in the name of a superuser; create one first.")
        try:
            run = match_run_create(
                actor=staff,
                call=found,
                weights=json.loads(weights),
                k=k,
                m=m,
                shards=shards,
                min_area_fit=min_area_fit,
            )
        except (ValidationError, json.JSONDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        if inline:
            match_run_execute(run.pk)
        run.refresh_from_db()
        self.stdout.write(
            json.dumps(
                {
                    "run": str(run.public_id),
                    "call": found.slug,
                    "status": run.status,
                    "weights": run.weights,
                    "k": run.k,
                    "m": run.m,
                    "min_area_fit": run.min_area_fit,
                    "bound": run.bound,
                    "gap": run.gap,
                    "solver": run.solver,
                    **run.summary,
                    "seconds": run.timings,
                    "error": run.error or None,
                },
                ensure_ascii=False,
            )
        )
