"""What the introductions' page tests share: the pages' addresses, every action as its form
posts it with the introduction it needs and who may take it, what each persona should get, and
pages asked for in English."""

from html import unescape

import pytest
from django.urls import reverse

from matching.models import Introduction

from .common import OUTSIDERS, today

LOGIN = reverse("accounts:login")
LIST = reverse("brokering:introduction-list")
CREATE = reverse("brokering:introduction-create")
BULK_SEND = reverse("accounts:bulk-start")  # with action=introductions.send (accounts/bulk.py)
PROPOSED_LIST = f"{LIST}?status=proposed"


@pytest.fixture(autouse=True, name="_english_pages")
def _english_pages_fixture(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def bulk_send(ids, **fields) -> dict:
    """The bulk send's form, as the confirmation page posts it."""
    return {"action": "introductions.send", "ids": [str(i) for i in ids], **fields}


def bulk_job(response):
    """The job a bulk start redirected to."""
    from accounts.models import BulkJob

    assert response.status_code == 302 and "/accounts/bulk/" in response.url
    return BulkJob.objects.get(public_id=response.url.rstrip("/").split("/")[-1])


def text(response) -> str:
    return unescape(response.content.decode())


def url(name: str, introduction: Introduction) -> str:
    return reverse(f"brokering:{name}", args=[introduction.public_id])


def detail(introduction: Introduction) -> str:
    return url("introduction-detail", introduction)


OUTCOME = {
    "students_trained": "18",
    "interns_hosted": "10",
    "graduates_hired": "6",
    "funding_delivered_cny": "100000",
    "narrative": "完成两期实训，6 名毕业生入职。",
}

# action: (url name, introduction status, outcome report status, form data, who may)
ACTIONS = {
    "send": ("introduction-send", "proposed", None, lambda: {"message": "请对接。"}, {"ministry"}),
    "cancel": ("introduction-cancel", "sent", None, lambda: {"comment": "企业调整计划。"}, {"ministry"}),
    "accept": ("introduction-accept", "sent", None, dict, {"employer", "university"}),
    "decline": (
        "introduction-decline",
        "sent",
        None,
        lambda: {"reason": "timing"},
        {"employer", "university"},
    ),
    "agreement": (
        "agreement-record",
        "accepted",
        None,
        lambda: {"signed_on": today(), "places_agreed": "20", "funding_agreed_cny": "0"},
        {"employer", "university"},
    ),
    "milestone": (
        "milestone-record",
        "signed",
        None,
        lambda: {"title": "首批学生进企业", "happened_on": today()},
        {"employer", "university"},
    ),
    "outcome": ("outcome-submit", "signed", None, lambda: dict(OUTCOME), {"employer"}),
    "confirm": ("outcome-confirm", "in_progress", "submitted", dict, {"university"}),
    "return": (
        "outcome-return",
        "in_progress",
        "submitted",
        lambda: {"comment": "数字有误。"},
        {"university"},
    ),
    "close": ("outcome-accept", "in_progress", "confirmed", lambda: {"comment": ""}, {"ministry"}),
}
# An insider asking for a step that is not theirs at this moment: refused with a message.
REFUSED = {("return", "ministry")}


def expected(action: str, persona: str) -> str:
    status, who = ACTIONS[action][1], ACTIONS[action][4]
    if persona == "anonymous":
        return "login"
    if persona in OUTSIDERS or (status == "proposed" and persona != "ministry"):
        return "404"
    if (action, persona) in REFUSED:
        return "refused"
    return "done" if persona in who else "403"
