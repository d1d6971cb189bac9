"""What the matching pages' tests share: the pages' addresses, the round's names, and helpers
that start, address and publish a run and read a page's text."""

from html import unescape

from django.urls import reverse

from matching import services
from matching.models import MatchRun
from tests.factories import ProposalFactory

LOGIN = reverse("accounts:login")
RUNS = reverse("matching:run-list")
MY_PROJECTS = reverse("matching:my-projects")
MY_PROPOSALS = reverse("matching:my-proposals")
INTERNSHIP = "internship_base"
VISION, LANGUAGE, ROBOTS = "工业视觉质检实习基地", "智能客服对话实习基地", "视觉导航机器人实习基地"
SEU, BUAA = "东南大学", "北京航空航天大学"


def text(response) -> str:
    return unescape(response.content.decode())


def published(**fields):
    return ProposalFactory(status="published", **fields)


def start_run(actor, call, capture, **params) -> MatchRun:
    """A run started through the service and, as the eager Celery task runs on commit, done."""
    with capture(execute=True):
        run = services.match_run_create(actor=actor, call=call, **params)
    run.refresh_from_db()
    return run


def run_url(run, name="run-detail") -> str:
    return reverse(f"matching:{name}", args=[run.public_id])


def publish(run, ministry):
    return services.match_run_publish(actor=ministry, run=run)
