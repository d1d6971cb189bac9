import csv
import json
import uuid

from django.core.management.base import BaseCommand, CommandError

from matching.exports import run_export
from matching.models import MatchRun


class Command(BaseCommand):
    help = (
        "Write everything needed to check a run independently: the run, focus areas, "
        "projects, universities, interests and every candidate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--run", required=True, help="The run's id (UUID).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, run, format, **options):
        found = (
            MatchRun.objects.filter(public_id=run).select_related("call").first() if _is_uuid(run) else None
        )
        if found is None:
            raise CommandError(f"No matching run has the id {run!r}.")
        data = run_export(found)
        if format == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        # CSV: one table, the candidates, with the run's parameters as a comment line.
        self.stdout.write(
            f"# run={data['run']['id']} call={data['run']['call']} "
            f"weights={json.dumps(data['run']['weights'])}"
        )
        writer = csv.writer(_Unended(self.stdout), lineterminator="\n")
        writer.writerow(
            [
                "project",
                "university",
                "score",
                "area_fit",
                "capacity_fit",
                "region",
                "interest",
                "rank",
                "proposed",
            ]
        )
        for c in data["candidates"]:
            writer.writerow(
                [
                    c["project"],
                    c["university"],
                    c["score"],
                    *c["components"].values(),
                    c["rank"],
                    c["proposed"],
                ]
            )


class _Unended:
    """The command's output as a file for csv.writer, which ends its lines itself."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
