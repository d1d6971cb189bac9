"""The employer's dashboard (counts, the call countdown, what needs attention, the list by
status) and the navigation each role sees."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from projects.models import Call, Proposal
from tests.factories import CallFactory, ProposalFactory

from .helpers import CALLS, DASHBOARD, QUEUE, SH, is_login_redirect, published, returned, text

pytestmark = pytest.mark.django_db


# --- the employer's dashboard -----------------------------------------------------------------


def test_dashboard_shows_counts_the_call_countdown_and_what_needs_attention(
    client_for, employer, ministry, call
):
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + timedelta(days=3, hours=5, minutes=30))
    call.refresh_from_db()
    draft = ProposalFactory(employer=employer.employer, call=call, title="仍是草稿")
    back = ProposalFactory(employer=employer.employer, call=call, title="需要修改")
    returned(back, employer, ministry)
    published(ProposalFactory(employer=employer.employer, call=call, title="已发布"), employer, ministry)
    ProposalFactory(call=call, title="别家的项目")

    response = client_for(employer).get(DASHBOARD)

    assert response.status_code == 200
    page = text(response)
    assert call.name in page
    assert timezone.localtime(call.closes_at, SH).strftime("%-d %B %Y, %H:%M") in page
    assert "3 days 5 hours left" in page
    assert 'data-target="' in page and "js/countdown.js" in page
    counts = {
        s: re.search(rf'id="count-{s}"><span class="figure">(\d+)', page).group(1)
        for s in ("draft", "returned", "published", "submitted")
    }
    assert counts == {"draft": "1", "returned": "1", "published": "1", "submitted": "0"}
    attention = page.split('id="attention"')[1].split('id="my-proposals"')[0]
    assert draft.title in attention and back.title in attention and "已发布" not in attention
    resubmit_by = max(back.returned_at + timedelta(days=call.revision_days), call.closes_at)
    assert timezone.localtime(resubmit_by, SH).strftime("%-d %B %Y, %H:%M") in attention
    assert "别家的项目" not in page


def test_returned_proposal_must_be_resubmitted_within_the_revision_window(
    client_for, employer, ministry, call, draft
):
    returned(draft, employer, ministry)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + timedelta(hours=1))
    draft.refresh_from_db()

    page = text(client_for(employer).get(DASHBOARD))

    window_ends = draft.returned_at + timedelta(days=call.revision_days)
    assert timezone.localtime(window_ends, SH).strftime("%-d %B %Y, %H:%M") in page
    assert "0 hours 59 minutes left" in page or "1 hours 0 minutes left" in page


def test_dashboard_lists_my_proposals_by_status_and_paginates(client_for, employer, call):
    for n in range(22):
        ProposalFactory(employer=employer.employer, call=call, title=f"草稿{n:02d}")
    Proposal.objects.filter(title="草稿00").update(status="withdrawn")
    client = client_for(employer)

    first, second = client.get(DASHBOARD), client.get(DASHBOARD + "?page=2")
    withdrawn = client.get(DASHBOARD + "?status=withdrawn")
    bogus = client.get(DASHBOARD + "?status=<b>")

    assert "22 proposals" in text(first) and "Page 1 of 2" in text(first)
    assert text(second).count("/proposals/") >= 2
    listed = text(withdrawn).split('id="my-proposals"')[1]
    assert "1 proposal" in listed and "草稿00" in listed and "草稿01" not in listed
    assert bogus.status_code == 200 and "22 proposals" in text(bogus)


def test_dashboard_without_any_call_still_renders(client_for, employer):
    response = client_for(employer).get(DASHBOARD)

    assert response.status_code == 200 and "No call round has been opened yet." in text(response)


def test_closed_call_shows_closed_instead_of_a_countdown(client_for, employer):
    now = timezone.now()
    CallFactory(opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))

    page = text(client_for(employer).get(DASHBOARD))

    assert "Closed" in page and "left" not in page.split('id="current-call"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("employer", 200),
        ("pending_employer", 403),
        ("university", 403),
        ("ministry", 302),
    ],
)
def test_dashboard_persona_matrix(request, client_for, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(DASHBOARD)

    assert response.status_code == expected
    if persona == "pending_employer":
        assert "Your organisation must be verified first" in text(response)
    if persona == "ministry":
        assert response.url == QUEUE


def test_dashboard_sends_an_anonymous_visitor_to_log_in(client_for, anonymous):
    assert is_login_redirect(client_for(anonymous).get(DASHBOARD), DASHBOARD)


# --- navigation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "present", "absent"),
    [
        ("employer", [DASHBOARD], [QUEUE, CALLS]),
        ("ministry", [QUEUE, CALLS], [f'href="{DASHBOARD}"']),
        ("university", [], [DASHBOARD, QUEUE, CALLS]),
    ],
)
def test_navigation_links_by_role(request, client_for, persona, present, absent):
    nav = client_for(request.getfixturevalue(persona)).get("/").content.decode().split("</nav>")[0]

    assert all(link in nav for link in present)
    assert not any(link in nav for link in absent)
