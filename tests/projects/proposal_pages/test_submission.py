"""Submitting and withdrawing from the pages: missing fields named, the deadline and the
revision window, and the persona matrix."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from projects import services
from projects.models import Call
from tests.factories import ProposalFactory
from tests.pages import flashed

from .helpers import event_count, is_login_redirect, published, returned, status_of, submitted, text, url

pytestmark = pytest.mark.django_db


# --- submitting and withdrawing ---------------------------------------------------------------


def test_owner_submits_a_complete_draft(
    client_for, employer, draft, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(employer).post(url("proposal-submit", draft))

    assert response.status_code == 302 and response.url == url("proposal-detail", draft)
    assert status_of(draft) == "submitted"
    assert "submitted" in flashed(response)[-1]
    assert len(mailoutbox) == 1


def test_submit_lists_every_missing_field_with_its_label(client_for, employer, call):
    proposal = services.proposal_create(
        actor=employer, call=call, fields={"project_type": "workforce_development", "title": "只有标题"}
    )

    response = client_for(employer).post(url("proposal-submit", proposal))

    assert response.status_code == 400
    box = text(response).split('id="missing-fields"')[1].split("</ul>")[0].split("<ul>")[1]
    labels = set(re.findall(r"<strong>(.*?)</strong>", box))
    assert labels == {
        "Summary",
        "Description",
        "Student places",
        "Partner universities sought",
        "Host province",
        "Host city",
        "Duration (months)",
        "Contact person",
        "Contact phone",
        "Contact email",
        "Training hours",
        "Teachers and staff to train",
        "Focus areas",
        "Funding (CNY)",
    }
    assert status_of(proposal) == "draft"


def test_submit_after_the_deadline_is_refused_with_a_message(client_for, employer, call, draft):
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(seconds=1)
    )
    client = client_for(employer)  # signing in is audited too
    events = event_count()

    response = client.post(url("proposal-submit", draft))

    assert response.status_code == 302
    assert "proposals can no longer be submitted" in flashed(response)[-1]
    assert status_of(draft) == "draft" and event_count() == events


def test_submitting_twice_is_a_message_not_an_error(client_for, employer, draft):
    client = client_for(employer)
    client.post(url("proposal-submit", draft))
    events = event_count()

    response = client.post(url("proposal-submit", draft))

    assert response.status_code == 302 and "is not possible while" in flashed(response)[-1]
    assert status_of(draft) == "submitted" and event_count() == events


def test_returned_proposal_can_be_resubmitted_after_the_deadline_within_the_window(
    client_for, employer, ministry, call, draft
):
    returned(draft, employer, ministry)
    Call.objects.filter(pk=call.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1), opens_at=timezone.now() - timedelta(days=30)
    )

    response = client_for(employer).post(url("proposal-submit", draft))

    assert response.status_code == 302 and status_of(draft) == "submitted"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("other_employer", 404),
        ("university", 404),
        ("ministry", 403),
    ],
)
def test_only_the_owner_submits(request, client_for, draft, persona, expected):
    response = client_for(request.getfixturevalue(persona)).post(url("proposal-submit", draft))

    assert response.status_code == expected and status_of(draft) == "draft"


@pytest.mark.parametrize("persona", ["other_employer", "university"])
def test_others_cannot_submit_or_withdraw_a_published_proposal(
    request, client_for, employer, ministry, draft, persona
):
    published(draft, employer, ministry)
    client = client_for(request.getfixturevalue(persona))

    assert client.post(url("proposal-submit", draft)).status_code == 403
    assert client.post(url("proposal-withdraw", draft)).status_code == 403
    assert status_of(draft) == "published"


def test_an_unverified_owner_is_told_to_get_verified_first(client_for, pending_employer, call):
    proposal = ProposalFactory(employer=pending_employer.employer, call=call)

    response = client_for(pending_employer).post(url("proposal-submit", proposal))

    assert response.status_code == 403 and "must be verified first" in text(response)
    assert status_of(proposal) == "draft"


def test_owner_withdraws_with_a_comment(client_for, employer, draft):
    submitted(draft, employer)

    response = client_for(employer).post(url("proposal-withdraw", draft), {"comment": "岗位已招满"})

    assert response.status_code == 302 and status_of(draft) == "withdrawn"
    assert AuditEvent.objects.filter(action="withdraw", comment="岗位已招满").exists()


def test_withdrawing_a_published_proposal_is_refused_with_a_message(client_for, employer, ministry, draft):
    published(draft, employer, ministry)

    response = client_for(employer).post(url("proposal-withdraw", draft))

    assert response.status_code == 302 and "is not possible while" in flashed(response)[-1]
    assert status_of(draft) == "published"


@pytest.mark.parametrize(("persona", "expected"), [("other_employer", 404), ("ministry", 403)])
def test_only_the_owner_withdraws(request, client_for, draft, persona, expected):
    response = client_for(request.getfixturevalue(persona)).post(url("proposal-withdraw", draft))

    assert response.status_code == expected and status_of(draft) == "draft"


def test_anonymous_visitor_cannot_submit_or_withdraw(client_for, anonymous, draft):
    client = client_for(anonymous)

    assert is_login_redirect(client.post(url("proposal-submit", draft)), url("proposal-submit", draft))
    assert client.post(url("proposal-withdraw", draft)).status_code == 302
    assert status_of(draft) == "draft"
