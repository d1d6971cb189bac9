"""Creating a draft, its detail page and editing it: the happy path, field errors with nothing
written, and who may see and edit a draft."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from projects.models import Proposal
from tests.factories import CallFactory, ProposalFactory
from tests.pages import field_errors, flashed

from .helpers import NEW, is_login_redirect, published, returned, submitted, text, url

pytestmark = pytest.mark.django_db


# --- creating a draft -------------------------------------------------------------------------


def test_new_draft_needs_only_a_type_and_a_title(client_for, employer, call, minimal_form):
    response = client_for(employer).post(NEW, minimal_form)

    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response.url == url("proposal-detail", proposal)
    assert (proposal.status, proposal.employer, proposal.call) == ("draft", employer.employer, call)
    assert proposal.title == minimal_form["title"] and proposal.summary == ""
    assert proposal.area_weights.count() == 0


def test_new_draft_saves_every_field_and_normalises_the_area_weights(client_for, employer, full_form):
    client_for(employer).post(NEW, full_form)

    proposal = Proposal.objects.get()
    assert (proposal.student_places, proposal.host_city, proposal.training_hours) == (30, "南京", 120)
    weights = {w.area.code: w.weight for w in proposal.area_weights.select_related("area")}
    assert weights == pytest.approx({"nlp": 0.75, "ml.large_models": 0.25})


def test_new_draft_form_offers_calls_not_closed_and_the_program_rules(client_for, employer, call):
    now = timezone.now()
    CallFactory(name="已截止批次", opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1))
    upcoming = CallFactory(
        name="下一批次", opens_at=now + timedelta(days=10), closes_at=now + timedelta(days=40)
    )

    response = client_for(employer).get(NEW)

    page = text(response)
    assert response.status_code == 200
    assert f'<option value="{call.slug}" selected>' in page and upcoming.name in page
    assert "已截止批次" not in page
    assert "may not require a university to buy equipment" in page
    assert 'name="area:cv.medical_imaging"' in page and 'name="contact_phone"' in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"project_type": "consulting"}, "project_type"),
        ({"contact_phone": "1234"}, "contact_phone"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"duration_months": "61"}, "duration_months"),
        ({"area:cv": "-1"}, "area:cv"),
        ({"area:cv": "101"}, "area:cv"),
    ],
)
def test_bad_draft_input_gets_field_errors_and_writes_nothing(client_for, employer, full_form, change, field):
    response = client_for(employer).post(NEW, {**full_form, **change})

    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Proposal.objects.exists()


def test_a_closed_call_cannot_be_chosen_even_by_a_stale_form(client_for, employer, minimal_form):
    now = timezone.now()
    closed = CallFactory(opens_at=now - timedelta(days=60), closes_at=now - timedelta(days=1))

    response = client_for(employer).post(NEW, {**minimal_form, "call": closed.slug})

    assert response.status_code == 400 and "call" in field_errors(response)
    assert not Proposal.objects.exists()


def test_a_new_draft_starts_with_the_contact_given_at_registration(client_for, employer, call):
    page = text(client_for(employer).get(NEW))
    organisation = employer.employer
    for name, value in (
        ("contact_person", organisation.contact_person),
        ("contact_phone", organisation.phone),
        ("contact_email", organisation.email),
    ):
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(value)}"', page), name


def test_new_draft_page_says_when_no_call_accepts_proposals(client_for, employer):
    response = client_for(employer).get(NEW)

    assert response.status_code == 200 and 'id="no-call"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("pending_employer", 403),
        ("university", 403),
        ("ministry", 403),
    ],
)
def test_only_verified_employers_create_drafts(request, client_for, minimal_form, persona, expected):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(NEW).status_code == expected
    response = client.post(NEW, minimal_form)

    assert response.status_code == expected
    assert not Proposal.objects.exists()
    if persona == "pending_employer":
        assert "Your organisation must be verified first" in text(response)


def test_anonymous_visitor_is_sent_to_log_in_before_drafting(client_for, anonymous, minimal_form):
    client = client_for(anonymous)

    assert is_login_redirect(client.get(NEW), NEW)
    assert is_login_redirect(client.post(NEW, minimal_form), NEW)
    assert not Proposal.objects.exists()


# --- the detail page --------------------------------------------------------------------------


def test_owner_sees_every_field_flags_history_and_the_submit_button(client_for, employer, ministry, draft):
    draft.description += " 参与学生须购买设备。"
    draft.save()
    returned(draft, employer, ministry, comment="请说明<b>安全</b>保障措施。")

    response = client_for(employer).get(url("proposal-detail", draft))

    page = response.content.decode()
    assert response.status_code == 200
    for value in (
        draft.title,
        draft.summary,
        draft.host_city,
        "CNY 200,000",
        "GPU 服务器与企业导师",
        "hr@employer.example.cn",
        "Computer vision",
        "100%",
    ):
        assert value in unescape(page)
    assert "Requires universities to buy equipment or software" in page and "购买设备" in page
    assert "请说明&lt;b&gt;安全&lt;/b&gt;保障措施。" in page
    history = page.split('id="history"')[1]
    assert "Ministry staff" in history and ministry.username not in history
    assert 'id="submit"' in page and 'id="withdraw"' in page and 'id="edit"' in page
    assert 'id="review-comment"' in page


def test_user_text_is_escaped(client_for, employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, title="<script>alert(1)</script>")

    page = client_for(employer).get(url("proposal-detail", proposal)).content.decode()

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("employer", 200),
        ("ministry", 200),
        ("other_employer", 404),
        ("university", 404),
        ("pending_employer", 404),
    ],
)
def test_a_draft_is_seen_only_by_its_employer_and_the_ministry(request, client_for, draft, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(url("proposal-detail", draft))

    assert response.status_code == expected


def test_anonymous_visitor_gets_404_for_a_draft(client_for, anonymous, draft):
    assert client_for(anonymous).get(url("proposal-detail", draft)).status_code == 404


@pytest.mark.parametrize("persona", ["university", "other_employer", "anonymous"])
def test_published_proposal_is_public_without_flags_or_history(
    request, client_for, employer, ministry, draft, persona
):
    published(draft, employer, ministry)

    response = client_for(request.getfixturevalue(persona)).get(url("proposal-detail", draft))

    page = response.content.decode()
    assert response.status_code == 200 and draft.title in page
    assert 'id="history"' not in page and 'id="flags"' not in page and 'id="submit"' not in page
    assert ("13800138000" in page) is (persona == "university")  # a verified university


def test_ministry_sees_a_link_to_the_review_page(client_for, employer, ministry, draft):
    submitted(draft, employer)

    page = client_for(ministry).get(url("proposal-detail", draft)).content.decode()

    assert url("proposal-review", draft) in page and 'id="history"' in page


def test_unknown_proposal_is_404(client_for, employer):
    assert client_for(employer).get("/proposals/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- editing ----------------------------------------------------------------------------------


def test_owner_edits_a_draft_and_its_focus_areas(client_for, employer, draft, full_form):
    client = client_for(employer)
    form = client.get(url("proposal-edit", draft))
    assert form.status_code == 200
    assert re.search(r'name="area:cv"[^>]*value="100"', form.content.decode())

    response = client.post(
        url("proposal-edit", draft), {**full_form, "title": "改过的标题", "area:cv": "", "area:robotics": "5"}
    )

    assert response.status_code == 302 and response.url == url("proposal-detail", draft)
    draft.refresh_from_db()
    assert draft.title == "改过的标题" and draft.project_type == "directed_training"
    assert {w.area.code for w in draft.area_weights.all()} == {"nlp", "ml.large_models", "robotics"}


def test_edit_form_keeps_empty_fields_empty(client_for, employer, draft):
    response = client_for(employer).post(
        url("proposal-edit", draft), {"project_type": draft.project_type, "title": draft.title}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "" and draft.student_places is None and draft.area_weights.count() == 0


def test_bad_edit_input_gets_field_errors_and_changes_nothing(client_for, employer, draft, full_form):
    before = Proposal.objects.values().get(pk=draft.pk)

    response = client_for(employer).post(
        url("proposal-edit", draft), {**full_form, "contact_phone": "12", "area:cv": "abc"}
    )

    assert response.status_code == 400
    assert {"contact_phone", "area:cv"} <= field_errors(response).keys()
    assert Proposal.objects.values().get(pk=draft.pk) == before


def test_a_proposal_under_review_cannot_be_edited(client_for, employer, draft, full_form):
    submitted(draft, employer)
    client = client_for(employer)

    get = client.get(url("proposal-edit", draft))
    post = client.post(url("proposal-edit", draft), {**full_form, "title": "偷偷改"})

    assert get.status_code == 302 and "Only drafts and proposals returned" in flashed(get)[-1]
    assert post.status_code == 400 and "Only drafts and proposals returned" in text(post)
    draft.refresh_from_db()
    assert draft.title != "偷偷改"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("other_employer", 404),
        ("university", 404),
        ("ministry", 403),
    ],
)
def test_only_the_owner_edits(request, client_for, draft, full_form, persona, expected):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(url("proposal-edit", draft)).status_code == expected
    assert client.post(url("proposal-edit", draft), {**full_form, "title": "x"}).status_code == expected
    assert Proposal.objects.get(pk=draft.pk).title == draft.title


def test_another_employers_published_proposal_is_403_to_edit(
    client_for, employer, other_employer, ministry, draft
):
    published(draft, employer, ministry)

    assert client_for(other_employer).get(url("proposal-edit", draft)).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in_before_editing(client_for, anonymous, draft):
    edit = url("proposal-edit", draft)

    assert is_login_redirect(client_for(anonymous).get(edit), edit)
