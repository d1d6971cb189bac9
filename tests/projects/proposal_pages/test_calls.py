"""The ministry's call round pages: the list in Beijing time, opening a call, field errors,
extending a deadline, and that only ministry staff manage calls."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from projects.models import Call
from tests.factories import CallFactory
from tests.pages import field_errors

from .helpers import CALLS, NEW_CALL, SH, is_login_redirect, text

pytestmark = pytest.mark.django_db


# --- call rounds ------------------------------------------------------------------------------


@pytest.fixture
def call_form() -> dict:
    return {
        "name": "2028 年人工智能领域批次",
        "slug": "ai-2028",
        "year": "2028",
        "description": "",
        "opens_at": "2028-03-01T09:00",
        "closes_at": "2028-04-30T23:59",
        "max_proposals_per_employer": "",
        "max_interests_per_university": "20",
        "revision_days": "7",
    }


def test_call_list_shows_rounds_with_their_deadlines_in_beijing_time(client_for, ministry):
    CallFactory(
        name="上一批次",
        opens_at=datetime(2026, 3, 1, tzinfo=SH),
        closes_at=datetime(2026, 4, 30, 23, 59, tzinfo=SH),
    )

    response = client_for(ministry).get(CALLS)

    assert response.status_code == 200
    assert "上一批次" in text(response) and "30 April 2026, 23:59" in text(response)


def test_ministry_opens_a_call_with_times_read_in_beijing_time(client_for, ministry, call_form):
    response = client_for(ministry).post(NEW_CALL, call_form)

    assert response.status_code == 302 and response.url == CALLS
    call = Call.objects.get(slug="ai-2028")
    assert call.closes_at == datetime(2028, 4, 30, 23, 59, tzinfo=SH)
    assert call.closes_at == datetime(2028, 4, 30, 15, 59, tzinfo=ZoneInfo("UTC"))
    assert call.max_proposals_per_employer is None and call.max_interests_per_university == 20
    assert AuditEvent.objects.filter(action="call_created").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"closes_at": "2028-02-28T12:00"}, "closes_at"),
        ({"closes_at": "2028-03-01T09:00"}, "closes_at"),
        ({"opens_at": "yesterday"}, "opens_at"),
        ({"slug": "ai 2028!"}, "slug"),
        ({"slug": "ai-2027"}, "slug"),
        ({"year": "1999"}, "year"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_call_input_gets_field_errors_and_writes_nothing(
    client_for, ministry, call, call_form, change, field
):
    response = client_for(ministry).post(NEW_CALL, {**call_form, **change})

    assert response.status_code == 400 and field in field_errors(response)
    assert list(Call.objects.all()) == [call]


def test_ministry_extends_a_deadline(client_for, ministry, call, call_form):
    client = client_for(ministry)
    edit = reverse("projects:call-edit", args=[call.slug])
    form = client.get(edit).content.decode()
    shown = timezone.localtime(call.closes_at, SH).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{shown}"' in form and 'type="datetime-local"' in form

    response = client.post(edit, {**call_form, "slug": call.slug, "closes_at": "2028-05-07T23:59"})

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.closes_at == datetime(2028, 5, 7, 23, 59, tzinfo=SH)
    assert AuditEvent.objects.filter(action="call_updated").exclude(comment="").exists()


def test_editing_an_unknown_call_is_404(client_for, ministry):
    assert client_for(ministry).get(reverse("projects:call-edit", args=["nope"])).status_code == 404


@pytest.mark.parametrize("persona", ["employer", "university", "pending_employer"])
def test_only_ministry_staff_manage_calls(request, client_for, call, call_form, persona):
    client = client_for(request.getfixturevalue(persona))
    edit = reverse("projects:call-edit", args=[call.slug])

    for response in (
        client.get(CALLS),
        client.get(NEW_CALL),
        client.post(NEW_CALL, call_form),
        client.get(edit),
        client.post(edit, {**call_form, "slug": call.slug}),
    ):
        assert response.status_code == 403
    assert list(Call.objects.all()) == [call] and Call.objects.get().name == call.name


def test_call_pages_send_an_anonymous_visitor_to_log_in(client_for, anonymous):
    client = client_for(anonymous)

    assert is_login_redirect(client.get(CALLS), CALLS)
    assert is_login_redirect(client.post(NEW_CALL, {}), NEW_CALL)
