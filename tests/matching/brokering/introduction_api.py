"""What the introductions API tests share: the documented fields, every action with the
introduction it needs, its body and who may take it, the status each persona should get, a
run's candidate, and API clients that ask for English messages."""

import pytest

from matching.models import Candidate, MatchRun

from .common import OUTSIDERS, today

LIST = "/api/v1/introductions/"
FIELDS = {
    "id",
    "project",
    "project_title",
    "employer",
    "university",
    "university_name",
    "status",
    "message",
    "places",
    "employer_response",
    "university_response",
    "decline_reason",
    "decline_comment",
    "sent_at",
    "expires_at",
    "accepted_at",
    "agreement",
    "milestones",
    "outcome",
    "created_at",
    "updated_at",
}
AGREEMENT_FIELDS = {"signed_on", "places_agreed", "funding_agreed_cny", "document", "recorded_at"}
MILESTONE_FIELDS = {"title", "happened_on", "note", "recorded_at"}
OUTCOME_FIELDS = {
    "status",
    "students_trained",
    "interns_hosted",
    "graduates_hired",
    "funding_delivered_cny",
    "narrative",
    "comment",
    "submitted_at",
    "confirmed_at",
    "decided_at",
}
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(name="api_for")
def api_for_fixture(api_for):
    """Messages in English, for the assertions on them."""

    def make(user):
        api = api_for(user)
        api.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return api

    return make


def url(introduction, action: str = "") -> str:
    return f"{LIST}{introduction.public_id}/" + (f"{action}/" if action else "")


OUTCOME = {
    "students_trained": 18,
    "interns_hosted": 10,
    "graduates_hired": 6,
    "funding_delivered_cny": 100000,
    "narrative": "完成两期实训，6 名毕业生入职。",
}

# action: (introduction status, outcome report status, body, who may)
ACTIONS = {
    "send": ("proposed", None, lambda: {"message": "请对接。"}, {"ministry"}),
    "cancel": ("sent", None, lambda: {"comment": "企业调整计划。"}, {"ministry"}),
    "accept": ("sent", None, dict, {"employer", "university"}),
    "decline": ("sent", None, lambda: {"reason": "timing"}, {"employer", "university"}),
    "agreement": (
        "accepted",
        None,
        lambda: {"signed_on": today(), "places_agreed": 20},
        {"employer", "university"},
    ),
    "milestones": (
        "signed",
        None,
        lambda: {"title": "首批学生进企业", "happened_on": today()},
        {"employer", "university"},
    ),
    "outcome": ("signed", None, lambda: dict(OUTCOME), {"employer"}),
    "outcome/confirm": ("in_progress", "submitted", dict, {"university"}),
    "outcome/return": ("in_progress", "submitted", lambda: {"comment": "数字有误。"}, {"university"}),
    "outcome/accept": ("in_progress", "confirmed", lambda: {"comment": ""}, {"ministry"}),
}
# An insider asking for a step that is not theirs at this moment.
CONFLICTS = {("outcome/return", "ministry")}


def expected(action: str, persona: str) -> int:
    status, _report, _body, who = ACTIONS[action]
    if persona == "anonymous":
        return 401
    if persona in OUTSIDERS or (status == "proposed" and persona != "ministry"):
        return 404
    if (action, persona) in CONFLICTS:
        return 409
    return 200 if persona in who else 403


def pair(project, university_org, **extra) -> dict:
    return {
        "project": str(project.public_id),
        "university": str(university_org.public_id),
        "message": "建议双方对接。",
        **extra,
    }


@pytest.fixture(name="candidate")
def candidate_fixture(ministry, project, university):
    run = MatchRun.objects.create(
        call=project.call,
        created_by=ministry,
        status="succeeded",
        weights={"area": 0.6, "capacity": 0.15, "region": 0.15, "interest": 0.1},
    )
    return Candidate.objects.create(
        run=run,
        proposal=project,
        university=university.university,
        score=0.66,
        area_fit=0.7,
        capacity_fit=0.5,
        region=1.0,
        interest=0.0,
        rank=1,
        proposed=True,
    )
