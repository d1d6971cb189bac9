"""A project's contact person, phone and email under the PIPL's "minimum necessary": shown only
to the project's employer, ministry staff and members of verified universities, on every channel
(the project's page, the proposal's page, the projects and proposals APIs, attachments, emails,
search results, the saved-search digest and every export); each university member's view
recorded, and a daily limit per university."""

import csv
import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.audit import AccountsAudit
from accounts.models import AuditEvent, UniversityCapacity
from matching.exports import run_export
from matching.models import Candidate, MatchRun
from projects import selectors, services
from projects.models import SavedSearch
from projects.services.proposals import search_document
from tests.factories import (
    InterestFactory,
    IntroductionFactory,
    OutcomeReportFactory,
    ProposalFactory,
    UniversityUserFactory,
    plain_pdf,
)

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "pending_university", "other_employer", "university", "employer", "ministry"]
SEE_CONTACT = {"university", "employer", "ministry"}
NO_RECORD = {"employer", "ministry"}  # insiders: shown everywhere, never recorded
PHONE, EMAIL = "13712345678", "zhao.min@owner.example.cn"
PDF = plain_pdf()
LOGIN, CATALOGUE = reverse("accounts:login"), reverse("projects:catalogue")
SEARCH = "视觉质检"  # in the project's title
LIMIT_MESSAGE = (
    "Daily limit of contact views for your university reached; try again tomorrow or contact the ministry."
)


@pytest.fixture(autouse=True)
def _english_pages_and_media(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pending_university(db):
    return UniversityUserFactory(username="pending_university", university__status="pending")


@pytest.fixture
def project(employer):
    """A published project whose search document is written as its approval writes it."""
    proposal = ProposalFactory(
        employer=employer.employer,
        status="published",
        decided_at=timezone.now(),
        contact_person="赵敏",
        contact_phone=PHONE,
        contact_email=EMAIL,
    )
    proposal.search_document = search_document(proposal)
    proposal.save(update_fields=["search_document"])
    return proposal


@pytest.fixture
def attachment(project, employer):
    return project.attachments.create(
        file=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        name="实施方案.pdf",
        size=len(PDF),
    )


def persona(request, name: str):
    return request.getfixturevalue(name)


def page(name: str, proposal) -> str:
    return reverse(f"projects:{name}", args=[proposal.public_id])


def api_contact(body: dict) -> tuple:
    return body["contact_person"], body["contact_phone"], body["contact_email"]


def records() -> list[tuple]:
    return list(
        AuditEvent.objects.filter(action=AccountsAudit.CONTACT_VIEWED)
        .values_list("actor__username", "object_id")
        .order_by("pk")
    )


def assert_contact_only_as_the_rule_allows(user, proposal, text: str) -> None:
    """Lists, emails and exports record no view, so they may carry the contact only to whom
    services.contact_view shows it unrecorded (selectors.may_see_contact, less the readers whose
    views are recorded); to anyone else not one of its three parts."""
    if not services.contact_view(actor=user, proposal=proposal, record=False).shown:
        assert PHONE not in text and EMAIL not in text and "赵敏" not in text


# --- the persona matrix, channel by channel ---------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("url_name", ["project-detail", "proposal-detail"])
def test_the_pages_show_the_contact_only_to_the_owner_ministry_and_verified_universities(
    request, client_for, project, name, url_name
):
    response = client_for(persona(request, name)).get(page(url_name, project))

    html = response.content.decode()
    assert response.status_code == 200
    assert (PHONE in html, EMAIL in html, "赵敏" in html) == (name in SEE_CONTACT,) * 3
    if name == "anonymous":
        assert f'href="{LOGIN}?next=' in html.split('id="contact"')[1].split("</dd>")[0]
    elif name not in SEE_CONTACT:
        assert 'id="contact-withheld"' in html


@pytest.mark.parametrize("name", PERSONAS)
def test_the_projects_api_detail_gives_the_contact_only_to_those_allowed(request, api_for, project, name):
    body = api_for(persona(request, name)).get(f"/api/v1/projects/{project.public_id}/").json()

    expected = ("赵敏", PHONE, EMAIL) if name in SEE_CONTACT else (None, None, None)
    assert api_contact(body) == expected


@pytest.mark.parametrize("name", PERSONAS)
def test_the_projects_api_list_carries_no_contact_and_records_nothing(request, api_for, project, name):
    response = api_for(persona(request, name)).get("/api/v1/projects/")

    assert response.status_code == 200
    assert PHONE not in response.content.decode() and EMAIL not in response.content.decode()
    assert records() == []


@pytest.mark.parametrize("name", PERSONAS)
def test_the_proposals_api_gives_the_contact_to_the_owner_and_ministry_only(request, api_for, project, name):
    api = api_for(persona(request, name))

    rows = api.get("/api/v1/proposals/").json()["results"]
    detail = api.get(f"/api/v1/proposals/{project.public_id}/").json()

    expected = ("赵敏", PHONE, EMAIL) if name in NO_RECORD else (None, None, None)
    assert [api_contact(row) for row in rows] == [expected]
    assert api_contact(detail) == expected
    assert records() == []


@pytest.mark.parametrize("name", PERSONAS)
def test_attachments_download_only_for_the_owner_ministry_and_verified_universities(
    request, client_for, project, attachment, name
):
    client = client_for(persona(request, name))
    download = reverse("projects:attachment-download", args=[project.public_id, attachment.public_id])

    response = client.get(download)
    linked = f'href="{download}"' in client.get(page("project-detail", project)).content.decode()

    if name in SEE_CONTACT:
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    elif name == "anonymous":
        assert response.status_code == 302 and response.url.startswith(f"{LOGIN}?next=")
    else:
        assert response.status_code == 403 and not response.has_header("Content-Disposition")
    assert linked is (name in SEE_CONTACT)


def test_a_draft_attachment_stays_not_found_for_a_verified_university(client_for, university, employer):
    draft = ProposalFactory(employer=employer.employer)
    attachment = draft.attachments.create(file=SimpleUploadedFile("a.pdf", PDF), name="a.pdf", size=1)

    download = reverse("projects:attachment-download", args=[draft.public_id, attachment.public_id])

    assert client_for(university).get(download).status_code == 404


def test_emails_about_a_project_carry_no_contact(
    university, employer, project, mailoutbox, django_capture_on_commit_callbacks
):
    UniversityCapacity.objects.create(
        university=university.university, project_type=project.project_type, places=10, projects=5
    )
    with django_capture_on_commit_callbacks(execute=True):
        interest = services.interest_create(
            actor=university, proposal=project, fields={"students_offered": 3, "statement": "我校愿意参与。"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.interest_respond(actor=employer, interest=interest, response="welcome", reason="")

    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert PHONE not in message.body and EMAIL not in message.body and "赵敏" not in message.body


# --- the access record ------------------------------------------------------------------------


def test_each_view_by_a_university_member_is_recorded(client_for, api_for, university, project):
    client_for(university).get(page("project-detail", project))
    api_for(university).get(f"/api/v1/projects/{project.public_id}/")

    assert records() == [("university", project.pk)] * 2
    event = AuditEvent.objects.filter(action=AccountsAudit.CONTACT_VIEWED).first()
    assert event.target == project and event.created_at <= timezone.now()
    with translation.override("en"):
        assert str(event.action_label) == "Contact details viewed"


@pytest.mark.parametrize(
    "name", ["anonymous", "pending_university", "other_employer", "employer", "ministry"]
)
def test_views_by_anyone_else_are_not_recorded(request, client_for, api_for, project, name):
    user = persona(request, name)

    client_for(user).get(page("project-detail", project))
    client_for(user).get(page("proposal-detail", project))
    api_for(user).get(f"/api/v1/projects/{project.public_id}/")

    assert records() == []


def test_the_access_record_stays_out_of_the_proposals_history(
    api_for, client_for, university, employer, project
):
    client_for(university).get(page("project-detail", project))

    events = api_for(employer).get(f"/api/v1/proposals/{project.public_id}/events/").json()

    assert records() and AccountsAudit.CONTACT_VIEWED not in [event["action"] for event in events]
    assert list(selectors.proposal_history(project).filter(action=AccountsAudit.CONTACT_VIEWED)) == []


# --- the daily limit per university -----------------------------------------------------------


def test_past_the_daily_limit_the_university_is_shown_no_contact_and_nothing_is_recorded(
    settings, client_for, api_for, university, other_university, employer, project
):
    settings.CONTACT_VIEWS_PER_DAY = 2
    colleague = UniversityUserFactory(university=university.university)
    with time_machine.travel(timezone.now() - timedelta(days=1), tick=False):
        services.contact_view(actor=colleague, proposal=project)
    client_for(university).get(page("project-detail", project))
    api_for(colleague).get(f"/api/v1/projects/{project.public_id}/")
    assert len(records()) == 3  # yesterday's view counts no more

    html = client_for(university).get(page("project-detail", project)).content.decode()
    body = api_for(colleague).get(f"/api/v1/projects/{project.public_id}/").json()

    assert PHONE not in html and LIMIT_MESSAGE in html and 'id="contact-limit"' in html
    assert api_contact(body) == (None, None, None)
    assert len(records()) == 3
    assert PHONE in client_for(other_university).get(page("project-detail", project)).content.decode()
    assert PHONE in client_for(employer).get(page("project-detail", project)).content.decode()


def test_the_limit_message_is_in_chinese_on_chinese_pages(settings, client_for, university, project):
    settings.CONTACT_VIEWS_PER_DAY = 0
    client = client_for(university)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"

    html = client.get(page("project-detail", project)).content.decode()

    assert "今日" in html.split('id="contact-limit"')[1].split("</span>")[0]
    assert records() == []


def test_the_daily_count_is_per_university_and_since_midnight(university, other_university, project):
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with time_machine.travel(midnight - timedelta(seconds=1), tick=False):
        services.contact_view(actor=university, proposal=project)
    for user in (university, other_university):
        services.contact_view(actor=user, proposal=project)

    assert selectors.contact_views_today(university.university_id) == 1
    assert selectors.contact_views_today(other_university.university_id) == 1


# --- the predicate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "seen"), [("published", True), ("draft", False), ("submitted", False), ("withdrawn", False)]
)
def test_a_verified_university_sees_contacts_of_published_projects_only(university, status, seen):
    assert selectors.may_see_contact(university, ProposalFactory(status=status)) is seen


def test_a_rejected_university_sees_no_contact(project):
    rejected = UniversityUserFactory(university__status="rejected")

    assert selectors.may_see_contact(rejected, project) is False
    assert services.contact_view(actor=rejected, proposal=project) == services.ContactView()


def test_the_owner_sees_its_contact_whatever_the_status(employer, ministry):
    draft = ProposalFactory(employer=employer.employer)

    assert selectors.may_see_contact(employer, draft) and selectors.may_see_contact(ministry, draft)
    assert services.contact_view(actor=employer, proposal=draft, record=False).phone == "13800138000"


# --- search results ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_the_catalogue_s_search_results_carry_the_contact_only_as_the_rule_allows(
    request, client_for, project, name
):
    user = persona(request, name)

    response = client_for(user).get(CATALOGUE, {"search": SEARCH})

    html = response.content.decode()
    assert response.status_code == 200 and page("project-detail", project) in html
    assert_contact_only_as_the_rule_allows(user, project, html)
    assert records() == []


def test_search_results_kept_for_the_next_visitor_carry_no_contact(client_for, employer, ministry, project):
    """The catalogue's results are rendered once for every visitor: the owner's and ministry
    staff's search leaves nothing of the contact for an anonymous visitor's."""
    for insider in (employer, ministry):
        client_for(insider).get(CATALOGUE, {"search": SEARCH})

    html = client_for(None).get(CATALOGUE, {"search": SEARCH}).content.decode()

    assert page("project-detail", project) in html
    assert PHONE not in html and EMAIL not in html and "赵敏" not in html


@pytest.mark.parametrize("name", PERSONAS)
@pytest.mark.parametrize("path", ["/api/v1/projects/", "/api/v1/proposals/"])
def test_the_api_lists_searched_carry_the_contact_only_as_the_rule_allows(
    request, api_for, project, name, path
):
    user = persona(request, name)

    response = api_for(user).get(path, {"search": SEARCH})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(project.public_id)]
    assert_contact_only_as_the_rule_allows(user, project, response.content.decode())
    assert records() == []


@pytest.mark.parametrize("text", ["赵敏", PHONE, EMAIL])
def test_a_search_for_the_contact_finds_nothing(client_for, api_for, university, project, text):
    """The search document holds no contact: a search cannot confirm whose phone it is."""
    html = client_for(university).get(CATALOGUE, {"search": text}).content.decode()
    rows = api_for(None).get("/api/v1/projects/", {"search": text}).json()["results"]

    assert page("project-detail", project) not in html and rows == []


# --- the saved-search digest --------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_the_saved_search_digest_carries_no_contact(request, project, mailoutbox, committing, name):
    """Only verified universities save searches; a pending one may hold a search saved before
    its review was reopened, and is emailed it still."""
    user = persona(request, name)
    if name == "university":
        saved = services.saved_search_create(actor=user, name="视觉", query=f"search={SEARCH}")
    else:
        with pytest.raises(PermissionDenied):
            services.saved_search_create(actor=user, name="视觉", query=f"search={SEARCH}")
        if name != "pending_university":
            return
        saved = SavedSearch.objects.create(user=user, name="视觉", query=f"search={SEARCH}")
    SavedSearch.objects.filter(pk=saved.pk).update(created_at=project.decided_at - timedelta(days=1))

    with committing():
        assert services.saved_search_digest_send() == 1

    [message] = mailoutbox
    assert project.title in message.body
    for text in (message.subject, message.body):
        assert PHONE not in text and EMAIL not in text and "赵敏" not in text


# --- exports --------------------------------------------------------------------------------------

EXPORTS = ["proposals", "interests", "introductions", "outcomes", "run-candidates", "run-proposed"]
LISTS = {"proposals", "interests", "introductions", "outcomes"}
REACH = {
    "anonymous": set(),
    "pending_university": set(),
    "other_employer": LISTS,
    "university": LISTS - {"proposals"},
    "employer": LISTS,
    "ministry": set(EXPORTS),
}


@pytest.fixture
def run(project, university):
    """The project's rows in every export: the university's interest and an introduction with
    its outcome report, and a succeeded run proposing the pair."""
    InterestFactory(
        proposal=project,
        university=university.university,
        contact_person="钱老师",
        contact_phone="13600001111",
        contact_email="qian@university.example.edu.cn",
    )
    introduction = IntroductionFactory(
        proposal=project, university=university.university, status="in_progress"
    )
    OutcomeReportFactory(introduction=introduction)
    run = MatchRun.objects.create(
        call=project.call,
        status="succeeded",
        finished_at=timezone.now(),
        weights={"area": 0.5, "capacity": 0.2, "region": 0.1, "interest": 0.2},
    )
    Candidate.objects.create(
        run=run,
        proposal=project,
        university=university.university,
        score=0.9,
        area_fit=0.8,
        capacity_fit=0.5,
        region=1.0,
        interest=1.0,
        rank=1,
        proposed=True,
        top_areas=["cv"],
    )
    return run


def export(client, name: str, run, kind: str):
    args = [run.public_id] if name.startswith("run-") else []
    query = {"format": kind, **({"status": "all"} if name == "proposals" else {})}
    return client.get(reverse(f"downloads:{name}", args=args), query)


def file_text(response, kind: str) -> str:
    """Every cell of the file, as text (the test client closes a response once read)."""
    content = b"".join(response.streaming_content)
    if kind == "csv":
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(content)).active
    return "\n".join(",".join(str(cell.value) for cell in row) for row in sheet.iter_rows())


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("export_name", EXPORTS)
@pytest.mark.parametrize("name", PERSONAS)
def test_every_export_carries_the_contact_only_as_the_rule_allows(
    request, client_for, project, run, name, export_name, kind
):
    user = persona(request, name)

    response = export(client_for(user), export_name, run, kind)

    if export_name not in REACH[name]:
        assert response.status_code == (302 if name == "anonymous" else 403)
        assert not response.has_header("Content-Disposition")
        assert_contact_only_as_the_rule_allows(user, project, response.content.decode())
        return
    assert response.status_code == 200
    text = file_text(response, kind)
    assert (str(project.public_id) in text) is (name != "other_employer")
    assert_contact_only_as_the_rule_allows(user, project, text)
    assert records() == []


def test_the_run_s_export_for_checking_it_carries_no_contact(project, run):
    text = json.dumps(run_export(run), ensure_ascii=False, default=str)

    assert str(project.public_id) in text
    assert PHONE not in text and EMAIL not in text and "赵敏" not in text
