"""The review page: what a reviewer sees, approving, returning and rejecting with the comment
or reason each needs, one decision for two reviewers, and the persona matrix."""

import pytest

from accounts.models import AuditEvent
from projects import services
from projects.models import Proposal
from tests.factories import ProposalFactory
from tests.pages import field_errors, flashed

from .helpers import (
    QUEUE,
    event_count,
    is_login_redirect,
    pdf_upload,
    published,
    status_of,
    submitted,
    text,
    url,
)

pytestmark = pytest.mark.django_db


# --- the review page --------------------------------------------------------------------------


def test_review_page_shows_everything_a_reviewer_needs(client_for, employer, ministry, call, draft):
    draft.in_kind_support = "学生须购买设备"
    draft.save()
    services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload("方案.pdf"))
    submitted(draft, employer)
    for n in range(12):
        ProposalFactory(employer=employer.employer, call=call, title=f"同单位项目{n:02d}")
    ProposalFactory(call=call, title="别家项目")

    response = client_for(ministry).get(url("proposal-review", draft))

    page = text(response)
    assert response.status_code == 200
    for value in (
        draft.title,
        draft.description,
        draft.contact_email,
        "方案.pdf",
        "购买设备",
        'id="approve-form"',
        'id="return-form"',
        'id="reject-form"',
        "Out of the program's scope",
    ):
        assert value in page
    others = page.split('id="other-proposals"')[1]
    assert others.count("同单位项目") == 10 and "别家项目" not in others and draft.title not in others


def test_ministry_approves_with_a_comment(client_for, employer, ministry, draft):
    submitted(draft, employer)

    response = client_for(ministry).post(
        url("proposal-review", draft), {"action": "approve", "approve-comment": "很好"}
    )

    assert response.status_code == 302 and response.url == QUEUE
    assert status_of(draft) == "published"
    assert AuditEvent.objects.filter(action="approve", comment="很好").exists()


def test_return_needs_a_comment(client_for, employer, ministry, draft):
    submitted(draft, employer)
    client = client_for(ministry)  # signing in is audited too
    events = event_count()

    response = client.post(url("proposal-review", draft), {"action": "return", "return-comment": "  "})

    assert response.status_code == 400 and "return-comment" in field_errors(response)
    assert status_of(draft) == "submitted" and event_count() == events


def test_ministry_returns_a_proposal_and_the_employer_sees_the_comment(client_for, employer, ministry, draft):
    submitted(draft, employer)

    client_for(ministry).post(
        url("proposal-review", draft), {"action": "return", "return-comment": "请补充安全保障措施"}
    )

    assert status_of(draft) == "returned"
    page = text(client_for(employer).get(url("proposal-detail", draft)))
    assert "请补充安全保障措施" in page.split('id="review-comment"')[1]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reject-reason": ""}, "reject-reason"),
        ({"reject-reason": "because"}, "reject-reason"),
        ({"reject-reason": "other", "reject-comment": ""}, "reject-comment"),
    ],
)
def test_reject_needs_a_reason(client_for, employer, ministry, draft, data, field):
    submitted(draft, employer)

    response = client_for(ministry).post(url("proposal-review", draft), {"action": "reject", **data})

    assert response.status_code == 400 and field in field_errors(response)
    assert status_of(draft) == "submitted"


def test_ministry_rejects_with_a_reason_the_employer_can_read(client_for, employer, ministry, draft):
    submitted(draft, employer)

    client_for(ministry).post(
        url("proposal-review", draft),
        {"action": "reject", "reject-reason": "out_of_scope", "reject-comment": "不属于人工智能领域"},
    )

    assert status_of(draft) == "rejected"
    history = text(client_for(employer).get(url("proposal-detail", draft))).split('id="history"')[1]
    assert "Out of the program's scope" in history and "不属于人工智能领域" in history


def test_deciding_a_proposal_that_is_not_submitted_changes_nothing(client_for, ministry, draft):
    client = client_for(ministry)
    page = client.get(url("proposal-review", draft)).content.decode()
    events = event_count()

    response = client.post(url("proposal-review", draft), {"action": "approve"})
    unknown = client.post(url("proposal-review", draft), {"action": "delete"})

    assert 'id="approve-form"' not in page
    assert response.status_code == 302 and "is not possible while" in flashed(response)[-1]
    assert unknown.status_code == 302
    assert status_of(draft) == "draft" and event_count() == events


def test_two_reviewers_deciding_at_once_get_one_decision(client_for, employer, ministry, draft):
    submitted(draft, employer)
    services.proposal_return(actor=ministry, proposal=Proposal.objects.get(pk=draft.pk), comment="先退回")

    response = client_for(ministry).post(url("proposal-review", draft), {"action": "approve"})

    assert response.status_code == 302 and status_of(draft) == "returned"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ministry", 200),
        ("employer", 403),
        ("other_employer", 404),
        ("university", 404),
    ],
)
def test_review_page_persona_matrix_for_a_submitted_proposal(
    request, client_for, employer, draft, persona, expected
):
    submitted(draft, employer)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(url("proposal-review", draft)).status_code == expected
    if expected != 200:
        response = client.post(url("proposal-review", draft), {"action": "approve"})
        assert response.status_code == expected and status_of(draft) == "submitted"


def test_review_page_of_a_published_proposal_is_403_to_a_university(
    client_for, employer, ministry, university, draft
):
    published(draft, employer, ministry)

    assert client_for(university).get(url("proposal-review", draft)).status_code == 403


def test_review_page_sends_an_anonymous_visitor_to_log_in(client_for, anonymous, draft):
    review = url("proposal-review", draft)

    assert is_login_redirect(client_for(anonymous).get(review), review)
