"""The projects HTML pages: the employer's dashboard, drafting, preview, submission and
attachments; the ministry's review queue, review page and call rounds. Each page: the happy
path, bad input (field errors, nothing written) and the persona matrix."""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from projects import services
from projects.models import Attachment, Call, Proposal
from tests.factories import CallFactory, EmployerFactory, ProposalFactory, plain_pdf
from tests.pages import field_errors, flashed

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
PDF = plain_pdf()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
MB = 1024 * 1024
LOGIN = reverse("accounts:login")
DASHBOARD = reverse("projects:dashboard")
NEW = reverse("projects:proposal-create")
QUEUE = reverse("projects:review-queue")
BULK = reverse("projects:review-bulk-approve")
CALLS = reverse("projects:call-list")
NEW_CALL = reverse("projects:call-create")


# --- helpers ----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _english_pages(client, settings, tmp_path):
    """Pages in English (the default language is Chinese) and uploads in a scratch folder."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


def url(name: str, proposal, *args) -> str:
    return reverse(f"projects:{name}", args=[proposal.public_id, *args])


def text(response) -> str:
    return unescape(response.content.decode())






def is_login_redirect(response, next_url: str) -> bool:
    return response.status_code == 302 and response.url == f"{LOGIN}?next={next_url}"


def status_of(proposal) -> str:
    return Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)


def event_count() -> int:
    return AuditEvent.objects.count()


def submitted(proposal, user):
    return services.proposal_submit(actor=user, proposal=proposal)


def returned(proposal, employer_user, ministry_user, comment="请补充实习岗位的安全保障措施。"):
    submitted(proposal, employer_user)
    return services.proposal_return(actor=ministry_user, proposal=proposal, comment=comment)


def published(proposal, employer_user, ministry_user):
    submitted(proposal, employer_user)
    return services.proposal_approve(actor=ministry_user, proposal=proposal)


def pdf_upload(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def call(db):
    return CallFactory(name="2027 年人工智能领域批次", slug="ai-2027")


@pytest.fixture
def draft(employer, call):
    return ProposalFactory(employer=employer.employer, call=call, title="工业视觉质检就业实习基地")


@pytest.fixture
def others_draft(other_employer, call):
    return ProposalFactory(employer=other_employer.employer, call=call, title="别家的草稿")


@pytest.fixture
def minimal_form(call) -> dict:
    return {"call": call.slug, "project_type": "directed_training", "title": "大模型应用开发定向培养班"}


@pytest.fixture
def full_form(minimal_form) -> dict:
    return {
        **minimal_form, "summary": "面向大模型应用开发的定向培养。", "description": "课程、项目实践与实习。",
        "student_places": "30", "partners_sought": "2", "host_province": "32", "host_city": "南京",
        "duration_months": "12", "funding_cny": "300000", "in_kind_support": "算力与企业导师",
        "contact_person": "陈静", "contact_phone": "13912345678", "contact_email": "chen@yuntu.example.cn",
        "training_hours": "120", "area:nlp": "3", "area:ml.large_models": "1",
    }


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
    assert timezone.localtime(call.closes_at, SH).strftime("%Y-%m-%d %H:%M") in page
    assert "3 days 5 hours left" in page
    assert 'data-target="' in page and "js/countdown.js" in page
    counts = {s: re.search(rf'id="count-{s}"><span class="figure">(\d+)', page).group(1)
              for s in ("draft", "returned", "published", "submitted")}
    assert counts == {"draft": "1", "returned": "1", "published": "1", "submitted": "0"}
    attention = page.split('id="attention"')[1].split('id="my-proposals"')[0]
    assert draft.title in attention and back.title in attention and "已发布" not in attention
    resubmit_by = max(back.returned_at + timedelta(days=call.revision_days), call.closes_at)
    assert timezone.localtime(resubmit_by, SH).strftime("%Y-%m-%d %H:%M") in attention
    assert "别家的项目" not in page


def test_returned_proposal_must_be_resubmitted_within_the_revision_window(client_for, employer, ministry,
                                                                         call, draft):
    returned(draft, employer, ministry)
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() + timedelta(hours=1))
    draft.refresh_from_db()

    page = text(client_for(employer).get(DASHBOARD))

    window_ends = draft.returned_at + timedelta(days=call.revision_days)
    assert timezone.localtime(window_ends, SH).strftime("%Y-%m-%d %H:%M") in page
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


@pytest.mark.parametrize(("persona", "expected"), [
    ("employer", 200), ("pending_employer", 403), ("university", 403), ("ministry", 302),
])
def test_dashboard_persona_matrix(request, client_for, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(DASHBOARD)

    assert response.status_code == expected
    if persona == "pending_employer":
        assert "Your organisation must be verified first" in text(response)
    if persona == "ministry":
        assert response.url == QUEUE


def test_dashboard_sends_an_anonymous_visitor_to_log_in(client_for, anonymous):
    assert is_login_redirect(client_for(anonymous).get(DASHBOARD), DASHBOARD)


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
    upcoming = CallFactory(name="下一批次", opens_at=now + timedelta(days=10),
                           closes_at=now + timedelta(days=40))

    response = client_for(employer).get(NEW)

    page = text(response)
    assert response.status_code == 200
    assert f'<option value="{call.slug}" selected>' in page and upcoming.name in page
    assert "已截止批次" not in page
    assert "may not require a university to buy equipment" in page
    assert 'name="area:cv.medical_imaging"' in page and 'name="contact_phone"' in page


@pytest.mark.parametrize(("change", "field"), [
    ({"title": ""}, "title"),
    ({"project_type": "consulting"}, "project_type"),
    ({"contact_phone": "1234"}, "contact_phone"),
    ({"contact_email": "not-an-email"}, "contact_email"),
    ({"duration_months": "61"}, "duration_months"),
    ({"area:cv": "-1"}, "area:cv"),
    ({"area:cv": "101"}, "area:cv"),
])
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


def test_new_draft_page_says_when_no_call_accepts_proposals(client_for, employer):
    response = client_for(employer).get(NEW)

    assert response.status_code == 200 and 'id="no-call"' in response.content.decode()


@pytest.mark.parametrize(("persona", "expected"), [
    ("pending_employer", 403), ("university", 403), ("ministry", 403),
])
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
    for value in (draft.title, draft.summary, draft.host_city, "200000", "GPU 服务器与企业导师",
                  "hr@employer.example.cn", "Computer vision", "100%"):
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


@pytest.mark.parametrize(("persona", "expected"), [
    ("employer", 200), ("ministry", 200), ("other_employer", 404), ("university", 404),
    ("pending_employer", 404),
])
def test_a_draft_is_seen_only_by_its_employer_and_the_ministry(request, client_for, draft, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(url("proposal-detail", draft))

    assert response.status_code == expected


def test_anonymous_visitor_gets_404_for_a_draft(client_for, anonymous, draft):
    assert client_for(anonymous).get(url("proposal-detail", draft)).status_code == 404


@pytest.mark.parametrize("persona", ["university", "other_employer", "anonymous"])
def test_published_proposal_is_public_without_flags_or_history(request, client_for, employer, ministry,
                                                               draft, persona):
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

    response = client.post(url("proposal-edit", draft), {**full_form, "title": "改过的标题", "area:cv": "",
                                                          "area:robotics": "5"})

    assert response.status_code == 302 and response.url == url("proposal-detail", draft)
    draft.refresh_from_db()
    assert draft.title == "改过的标题" and draft.project_type == "directed_training"
    assert {w.area.code for w in draft.area_weights.all()} == {"nlp", "ml.large_models", "robotics"}


def test_edit_form_keeps_empty_fields_empty(client_for, employer, draft):
    response = client_for(employer).post(url("proposal-edit", draft),
                                         {"project_type": draft.project_type, "title": draft.title})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "" and draft.student_places is None and draft.area_weights.count() == 0


def test_bad_edit_input_gets_field_errors_and_changes_nothing(client_for, employer, draft, full_form):
    before = Proposal.objects.values().get(pk=draft.pk)

    response = client_for(employer).post(url("proposal-edit", draft), {**full_form, "contact_phone": "12",
                                                                       "area:cv": "abc"})

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


@pytest.mark.parametrize(("persona", "expected"), [
    ("other_employer", 404), ("university", 404), ("ministry", 403),
])
def test_only_the_owner_edits(request, client_for, draft, full_form, persona, expected):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(url("proposal-edit", draft)).status_code == expected
    assert client.post(url("proposal-edit", draft), {**full_form, "title": "x"}).status_code == expected
    assert Proposal.objects.get(pk=draft.pk).title == draft.title


def test_another_employers_published_proposal_is_403_to_edit(client_for, employer, other_employer, ministry,
                                                              draft):
    published(draft, employer, ministry)

    assert client_for(other_employer).get(url("proposal-edit", draft)).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in_before_editing(client_for, anonymous, draft):
    edit = url("proposal-edit", draft)

    assert is_login_redirect(client_for(anonymous).get(edit), edit)


# --- submitting and withdrawing ---------------------------------------------------------------

def test_owner_submits_a_complete_draft(client_for, employer, draft, mailoutbox,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(employer).post(url("proposal-submit", draft))

    assert response.status_code == 302 and response.url == url("proposal-detail", draft)
    assert status_of(draft) == "submitted"
    assert "submitted" in flashed(response)[-1]
    assert len(mailoutbox) == 1


def test_submit_lists_every_missing_field_with_its_label(client_for, employer, call):
    proposal = services.proposal_create(actor=employer, call=call,
                                        fields={"project_type": "workforce_development", "title": "只有标题"})

    response = client_for(employer).post(url("proposal-submit", proposal))

    assert response.status_code == 400
    box = text(response).split('id="missing-fields"')[1].split("</ul>")[0].split("<ul>")[1]
    labels = set(re.findall(r"<strong>(.*?)</strong>", box))
    assert labels == {
        "Summary", "Description", "Student places", "Partner universities sought", "Host province",
        "Host city", "Duration (months)", "Contact person", "Contact phone", "Contact email",
        "Training hours", "Teachers and staff to train", "Focus areas", "Funding (CNY)",
    }
    assert status_of(proposal) == "draft"


def test_submit_after_the_deadline_is_refused_with_a_message(client_for, employer, call, draft):
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(opens_at=now - timedelta(days=30),
                                           closes_at=now - timedelta(seconds=1))
    client = client_for(employer)   # signing in is audited too
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
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(seconds=1),
                                           opens_at=timezone.now() - timedelta(days=30))

    response = client_for(employer).post(url("proposal-submit", draft))

    assert response.status_code == 302 and status_of(draft) == "submitted"


@pytest.mark.parametrize(("persona", "expected"), [
    ("other_employer", 404), ("university", 404), ("ministry", 403),
])
def test_only_the_owner_submits(request, client_for, draft, persona, expected):
    response = client_for(request.getfixturevalue(persona)).post(url("proposal-submit", draft))

    assert response.status_code == expected and status_of(draft) == "draft"


@pytest.mark.parametrize("persona", ["other_employer", "university"])
def test_others_cannot_submit_or_withdraw_a_published_proposal(request, client_for, employer, ministry,
                                                               draft, persona):
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


# --- attachments ------------------------------------------------------------------------------

def test_owner_attaches_a_pdf_and_anyone_who_sees_the_proposal_downloads_it(
    client_for, employer, ministry, university, draft
):
    response = client_for(employer).post(url("attachment-add", draft), {"file": pdf_upload("方案.pdf")})

    attachment = Attachment.objects.get()
    assert response.status_code == 302 and response.url.endswith("#attachments")
    assert attachment.name == "方案.pdf" and attachment.size == len(PDF)
    detail = client_for(employer).get(url("proposal-detail", draft)).content.decode()
    download_url = url("attachment-download", draft, attachment.public_id)
    assert download_url in detail and "/media/" not in detail
    for user in (employer, ministry):
        download = client_for(user).get(download_url)
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
        assert download["Content-Disposition"].startswith("attachment;")
    assert client_for(university).get(download_url).status_code == 404
    published(draft, employer, ministry)
    assert client_for(university).get(download_url).status_code == 200


@pytest.mark.parametrize(("upload", "message"), [
    (("picture.pdf", PNG), "Only PDF files can be attached."),
    (("notes.pdf", b"just some text"), "Only PDF files can be attached."),
    (("big.pdf", b"%PDF-" + b"0" * (11 * MB)), "A file may be at most 10 MB."),
])
def test_a_file_that_is_not_a_small_pdf_is_refused(client_for, employer, draft, upload, message):
    name, content = upload

    response = client_for(employer).post(url("attachment-add", draft), {"file": pdf_upload(name, content)})

    assert response.status_code == 302 and flashed(response) == [message]
    assert not Attachment.objects.exists()


def test_a_sixth_attachment_is_refused(client_for, employer, draft):
    client = client_for(employer)
    for n in range(5):
        client.post(url("attachment-add", draft), {"file": pdf_upload(f"{n}.pdf")})

    response = client.post(url("attachment-add", draft), {"file": pdf_upload("6.pdf")})

    assert flashed(response)[-1] == "A proposal may have at most 5 attachments."
    assert Attachment.objects.count() == 5


def test_an_empty_upload_is_refused_with_a_message(client_for, employer, draft):
    response = client_for(employer).post(url("attachment-add", draft), {})

    assert response.status_code == 302 and flashed(response) and not Attachment.objects.exists()


def test_owner_removes_an_attachment(client_for, employer, draft):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())

    response = client_for(employer).post(url("attachment-delete", draft, attachment.public_id),
                                         {"next": url("proposal-edit", draft)})

    assert response.status_code == 302 and response.url == url("proposal-edit", draft) + "#attachments"
    assert not Attachment.objects.exists()


def test_attachments_of_a_proposal_under_review_cannot_change(client_for, employer, draft):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())
    submitted(draft, employer)
    client = client_for(employer)

    added = client.post(url("attachment-add", draft), {"file": pdf_upload()})
    removed = client.post(url("attachment-delete", draft, attachment.public_id))

    assert "Only drafts" in flashed(added)[-1] and "Only drafts" in flashed(removed)[-1]
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(("persona", "expected"), [
    ("other_employer", 404), ("university", 404), ("ministry", 403),
])
def test_only_the_owner_attaches_and_removes(request, client_for, employer, draft, persona, expected):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())
    client = client_for(request.getfixturevalue(persona))

    assert client.post(url("attachment-add", draft), {"file": pdf_upload()}).status_code == expected
    assert client.post(url("attachment-delete", draft, attachment.public_id)).status_code == expected
    assert list(Attachment.objects.all()) == [attachment]


def test_an_attachment_is_found_only_under_its_own_proposal(client_for, employer, call, draft):
    other = ProposalFactory(employer=employer.employer, call=call)
    attachment = services.attachment_add(actor=employer, proposal=other, upload=pdf_upload())

    response = client_for(employer).get(url("attachment-download", draft, attachment.public_id))

    assert response.status_code == 404


def test_anonymous_visitor_is_sent_to_log_in_for_a_published_attachment(client_for, anonymous, employer,
                                                                         ministry, draft):
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=pdf_upload())
    download_url = url("attachment-download", draft, attachment.public_id)

    assert client_for(anonymous).get(download_url).status_code == 404
    published(draft, employer, ministry)
    response = client_for(anonymous).get(download_url)
    assert response.status_code == 302 and response.url.startswith(f"{LOGIN}?next=")


# --- the review queue -------------------------------------------------------------------------

def _queue_titles(response) -> list[str]:
    rows = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [unescape(t) for t in re.findall(r'/review/[0-9a-f-]+/">(.*?)</a>', rows)]


def test_queue_lists_submitted_proposals_oldest_first(client_for, employer, other_employer, ministry, call):
    first = ProposalFactory(employer=employer.employer, call=call, title="先提交的")
    second = ProposalFactory(employer=other_employer.employer, call=call, title="后提交的")
    submitted(first, employer)
    submitted(second, other_employer)
    Proposal.objects.filter(pk=second.pk).update(submitted_at=timezone.now() - timedelta(days=1))
    ProposalFactory(employer=employer.employer, call=call, title="还是草稿")

    response = client_for(ministry).get(QUEUE)

    assert response.status_code == 200
    assert _queue_titles(response) == ["后提交的", "先提交的"]
    assert '<option value="submitted" selected>' in response.content.decode()
    page = text(response)
    assert other_employer.employer.name in page and "Employment internship base" in page
    assert "Computer vision" in page and "Jiangsu" in page
    assert f'value="{first.public_id}"' in page


def test_queue_filters_come_from_the_query_string(client_for, employer, ministry, call):
    other_call = CallFactory(slug="ai-2026")
    rows = {
        "cv-medical": dict(areas={"cv.medical_imaging": 1}),
        "nlp-only": dict(areas={"nlp": 1}, project_type="directed_training", training_hours=40,
                         host_province="11"),
        "flagged": dict(description="学生须缴纳培训费。"),
        "other-call": dict(call=other_call),
    }
    for title, extra in rows.items():
        proposal = ProposalFactory(**{"employer": employer.employer, "call": call, "title": title, **extra})
        submitted(proposal, employer)
    client = client_for(ministry)

    def titles(query):
        return sorted(_queue_titles(client.get(f"{QUEUE}?{query}")))

    assert titles("area=cv") == ["cv-medical", "flagged", "other-call"]
    assert titles("area=nlp&province=11") == ["nlp-only"]
    assert titles("project_type=directed_training") == ["nlp-only"]
    assert titles("flagged=on") == ["flagged"]
    assert titles("call=ai-2026") == ["other-call"]
    assert titles("q=medical") == ["cv-medical"]
    assert titles(f"q={employer.employer.name[:6]}") == sorted(rows)
    assert titles("status=draft") == []
    assert titles("status=all") == sorted(rows)
    assert titles("status=bogus&area=nope") == sorted(rows)


def test_queue_paginates_fifty_per_page_in_a_bounded_number_of_queries(
    client_for, ministry, call, django_assert_max_num_queries
):
    for n in range(60):
        employer = EmployerFactory()
        ProposalFactory(employer=employer, call=call, status="submitted", title=f"项目{n:02d}",
                        submitted_at=timezone.now() - timedelta(minutes=60 - n),
                        areas={"cv": 2, "ml.deep_learning": 1}, flags=[{"rule": "fees", "phrase": "学费"}])
    client = client_for(ministry)

    with django_assert_max_num_queries(12):
        first = client.get(QUEUE)
    with django_assert_max_num_queries(12):
        second = client.get(f"{QUEUE}?page=2&area=cv&flagged=on")

    assert len(_queue_titles(first)) == 50 and _queue_titles(first)[0] == "项目00"
    assert _queue_titles(second) == [f"项目{n}" for n in range(50, 60)]
    assert "60 proposals" in text(first) and "Page 1 of 2" in text(first)
    assert "area=cv&amp;flagged=on&amp;page=1" in second.content.decode()


def test_queue_query_count_does_not_grow_with_rows(client_for, ministry, call, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            ProposalFactory(employer=EmployerFactory(), call=call, status="submitted",
                            submitted_at=timezone.now(), areas={"nlp": 1, "cv": 1})

    client = client_for(ministry)
    make(2)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    make(40)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(QUEUE)


@pytest.mark.parametrize(("persona", "expected"), [
    ("employer", 403), ("pending_employer", 403), ("university", 403), ("ministry", 200),
])
def test_queue_persona_matrix(request, client_for, persona, expected):
    assert client_for(request.getfixturevalue(persona)).get(QUEUE).status_code == expected


def test_queue_sends_an_anonymous_visitor_to_log_in(client_for, anonymous):
    assert is_login_redirect(client_for(anonymous).get(QUEUE), QUEUE)


# --- bulk approval ----------------------------------------------------------------------------

def test_bulk_approve_publishes_the_selected_submitted_proposals(client_for, employer, ministry, call, draft):
    chosen = [ProposalFactory(employer=employer.employer, call=call) for _ in range(3)]
    for proposal in chosen:
        submitted(proposal, employer)
    left_alone = ProposalFactory(employer=employer.employer, call=call)
    submitted(left_alone, employer)

    response = client_for(ministry).post(BULK, {
        "ids": [str(p.public_id) for p in chosen] + [str(draft.public_id), "not-a-uuid"],
        "next": f"{QUEUE}?call={call.slug}",
    })

    assert response.status_code == 302 and response.url == f"{QUEUE}?call={call.slug}"
    assert [status_of(p) for p in chosen] == ["published"] * 3
    assert status_of(draft) == "draft" and status_of(left_alone) == "submitted"
    assert flashed(response) == ["3 approved and published; 1 skipped (no longer submitted)."]


def test_bulk_approve_with_nothing_selected_says_so(client_for, ministry):
    response = client_for(ministry).post(BULK, {"next": "https://evil.example.com/"})

    assert response.status_code == 302 and response.url == QUEUE
    assert flashed(response) == ["Select the proposals to approve."]


@pytest.mark.parametrize("persona", ["employer", "university"])
def test_only_ministry_staff_bulk_approve(request, client_for, employer, draft, persona):
    submitted(draft, employer)

    response = client_for(request.getfixturevalue(persona)).post(BULK, {"ids": [str(draft.public_id)]})

    assert response.status_code == 403 and status_of(draft) == "submitted"


def test_bulk_approve_sends_an_anonymous_visitor_to_log_in(client_for, anonymous, employer, draft):
    submitted(draft, employer)

    response = client_for(anonymous).post(BULK, {"ids": [str(draft.public_id)]})

    assert is_login_redirect(response, BULK) and status_of(draft) == "submitted"


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
    for value in (draft.title, draft.description, draft.contact_email, "方案.pdf", "购买设备",
                  'id="approve-form"', 'id="return-form"', 'id="reject-form"', "Out of the program's scope"):
        assert value in page
    others = page.split('id="other-proposals"')[1]
    assert others.count("同单位项目") == 10 and "别家项目" not in others and draft.title not in others


def test_ministry_approves_with_a_comment(client_for, employer, ministry, draft):
    submitted(draft, employer)

    response = client_for(ministry).post(url("proposal-review", draft),
                                         {"action": "approve", "approve-comment": "很好"})

    assert response.status_code == 302 and response.url == QUEUE
    assert status_of(draft) == "published"
    assert AuditEvent.objects.filter(action="approve", comment="很好").exists()


def test_return_needs_a_comment(client_for, employer, ministry, draft):
    submitted(draft, employer)
    client = client_for(ministry)   # signing in is audited too
    events = event_count()

    response = client.post(url("proposal-review", draft), {"action": "return", "return-comment": "  "})

    assert response.status_code == 400 and "return-comment" in field_errors(response)
    assert status_of(draft) == "submitted" and event_count() == events


def test_ministry_returns_a_proposal_and_the_employer_sees_the_comment(client_for, employer, ministry, draft):
    submitted(draft, employer)

    client_for(ministry).post(url("proposal-review", draft),
                              {"action": "return", "return-comment": "请补充安全保障措施"})

    assert status_of(draft) == "returned"
    page = text(client_for(employer).get(url("proposal-detail", draft)))
    assert "请补充安全保障措施" in page.split('id="review-comment"')[1]


@pytest.mark.parametrize(("data", "field"), [
    ({"reject-reason": ""}, "reject-reason"),
    ({"reject-reason": "because"}, "reject-reason"),
    ({"reject-reason": "other", "reject-comment": ""}, "reject-comment"),
])
def test_reject_needs_a_reason(client_for, employer, ministry, draft, data, field):
    submitted(draft, employer)

    response = client_for(ministry).post(url("proposal-review", draft), {"action": "reject", **data})

    assert response.status_code == 400 and field in field_errors(response)
    assert status_of(draft) == "submitted"


def test_ministry_rejects_with_a_reason_the_employer_can_read(client_for, employer, ministry, draft):
    submitted(draft, employer)

    client_for(ministry).post(url("proposal-review", draft), {
        "action": "reject", "reject-reason": "out_of_scope", "reject-comment": "不属于人工智能领域"})

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


@pytest.mark.parametrize(("persona", "expected"), [
    ("ministry", 200), ("employer", 403), ("other_employer", 404), ("university", 404),
])
def test_review_page_persona_matrix_for_a_submitted_proposal(request, client_for, employer, draft,
                                                             persona, expected):
    submitted(draft, employer)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(url("proposal-review", draft)).status_code == expected
    if expected != 200:
        response = client.post(url("proposal-review", draft), {"action": "approve"})
        assert response.status_code == expected and status_of(draft) == "submitted"


def test_review_page_of_a_published_proposal_is_403_to_a_university(client_for, employer, ministry,
                                                                   university, draft):
    published(draft, employer, ministry)

    assert client_for(university).get(url("proposal-review", draft)).status_code == 403


def test_review_page_sends_an_anonymous_visitor_to_log_in(client_for, anonymous, draft):
    review = url("proposal-review", draft)

    assert is_login_redirect(client_for(anonymous).get(review), review)


# --- call rounds ------------------------------------------------------------------------------

@pytest.fixture
def call_form() -> dict:
    return {"name": "2028 年人工智能领域批次", "slug": "ai-2028", "year": "2028", "description": "",
            "opens_at": "2028-03-01T09:00", "closes_at": "2028-04-30T23:59",
            "max_proposals_per_employer": "", "max_interests_per_university": "20", "revision_days": "7"}


def test_call_list_shows_rounds_with_their_deadlines_in_beijing_time(client_for, ministry):
    CallFactory(name="上一批次", opens_at=datetime(2026, 3, 1, tzinfo=SH),
                closes_at=datetime(2026, 4, 30, 23, 59, tzinfo=SH))

    response = client_for(ministry).get(CALLS)

    assert response.status_code == 200
    assert "上一批次" in text(response) and "2026-04-30 23:59" in text(response)


def test_ministry_opens_a_call_with_times_read_in_beijing_time(client_for, ministry, call_form):
    response = client_for(ministry).post(NEW_CALL, call_form)

    assert response.status_code == 302 and response.url == CALLS
    call = Call.objects.get(slug="ai-2028")
    assert call.closes_at == datetime(2028, 4, 30, 23, 59, tzinfo=SH)
    assert call.closes_at == datetime(2028, 4, 30, 15, 59, tzinfo=ZoneInfo("UTC"))
    assert call.max_proposals_per_employer is None and call.max_interests_per_university == 20
    assert AuditEvent.objects.filter(action="call_created").count() == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"closes_at": "2028-02-28T12:00"}, "closes_at"),
    ({"closes_at": "2028-03-01T09:00"}, "closes_at"),
    ({"opens_at": "yesterday"}, "opens_at"),
    ({"slug": "ai 2028!"}, "slug"),
    ({"slug": "ai-2027"}, "slug"),
    ({"year": "1999"}, "year"),
    ({"name": ""}, "name"),
])
def test_bad_call_input_gets_field_errors_and_writes_nothing(client_for, ministry, call, call_form,
                                                             change, field):
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

    for response in (client.get(CALLS), client.get(NEW_CALL), client.post(NEW_CALL, call_form),
                     client.get(edit), client.post(edit, {**call_form, "slug": call.slug})):
        assert response.status_code == 403
    assert list(Call.objects.all()) == [call] and Call.objects.get().name == call.name


def test_call_pages_send_an_anonymous_visitor_to_log_in(client_for, anonymous):
    client = client_for(anonymous)

    assert is_login_redirect(client.get(CALLS), CALLS)
    assert is_login_redirect(client.post(NEW_CALL, {}), NEW_CALL)


# --- navigation -------------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "present", "absent"), [
    ("employer", [DASHBOARD], [QUEUE, CALLS]),
    ("ministry", [QUEUE, CALLS], [f'href="{DASHBOARD}"']),
    ("university", [], [DASHBOARD, QUEUE, CALLS]),
])
def test_navigation_links_by_role(request, client_for, persona, present, absent):
    nav = client_for(request.getfixturevalue(persona)).get("/").content.decode().split("</nav>")[0]

    assert all(link in nav for link in present)
    assert not any(link in nav for link in absent)
