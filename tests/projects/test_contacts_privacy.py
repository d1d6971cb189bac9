"""A project's contact person, phone and email under the PIPL's "minimum necessary": shown only
to the project's employer, ministry staff and members of verified universities, on every channel
(the project's page, the proposal's page, the projects and proposals APIs, attachments, emails);
each university member's view recorded, and a daily limit per university."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import CONTACT_VIEWED, AuditEvent, UniversityCapacity
from projects import selectors, services
from tests.factories import ProposalFactory, UniversityUserFactory, plain_pdf

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "pending_university", "other_employer", "university", "employer", "ministry"]
SEE_CONTACT = {"university", "employer", "ministry"}
NO_RECORD = {"employer", "ministry"}  # insiders: shown everywhere, never recorded
PHONE, EMAIL = "13712345678", "zhao.min@owner.example.cn"
PDF = plain_pdf()
LOGIN = reverse("accounts:login")
LIMIT_MESSAGE = ("Daily limit of contact views for your university reached; try again tomorrow "
                 "or contact the ministry.")


@pytest.fixture(autouse=True)
def _english_pages_and_media(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pending_university(db):
    return UniversityUserFactory(username="pending_university", university__status="pending")


@pytest.fixture
def project(employer):
    return ProposalFactory(employer=employer.employer, status="published", decided_at=timezone.now(),
                           contact_person="赵敏", contact_phone=PHONE, contact_email=EMAIL)


@pytest.fixture
def attachment(project, employer):
    return project.attachments.create(
        file=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        name="实施方案.pdf", size=len(PDF))


def persona(request, name: str):
    return request.getfixturevalue(name)


def page(name: str, proposal) -> str:
    return reverse(f"projects:{name}", args=[proposal.public_id])


def api_contact(body: dict) -> tuple:
    return body["contact_person"], body["contact_phone"], body["contact_email"]


def records() -> list[tuple]:
    return list(AuditEvent.objects.filter(action=CONTACT_VIEWED)
                .values_list("actor__username", "object_id").order_by("pk"))


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
def test_the_projects_api_detail_gives_the_contact_only_to_those_allowed(
    request, api_for, project, name
):
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
def test_the_proposals_api_gives_the_contact_to_the_owner_and_ministry_only(
    request, api_for, project, name
):
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
    UniversityCapacity.objects.create(university=university.university,
                                      project_type=project.project_type, places=10, projects=5)
    with django_capture_on_commit_callbacks(execute=True):
        interest = services.interest_create(actor=university, proposal=project,
                                            fields={"students_offered": 3, "statement": "我校愿意参与。"})
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
    event = AuditEvent.objects.filter(action=CONTACT_VIEWED).first()
    assert event.target == project and event.created_at <= timezone.now()
    with translation.override("en"):
        assert str(event.action_label) == "Contact details viewed"


@pytest.mark.parametrize("name", ["anonymous", "pending_university", "other_employer", "employer",
                                  "ministry"])
def test_views_by_anyone_else_are_not_recorded(request, client_for, api_for, project, name):
    user = persona(request, name)

    client_for(user).get(page("project-detail", project))
    client_for(user).get(page("proposal-detail", project))
    api_for(user).get(f"/api/v1/projects/{project.public_id}/")

    assert records() == []


def test_the_access_record_stays_out_of_the_proposals_history(api_for, client_for, university,
                                                              employer, project):
    client_for(university).get(page("project-detail", project))

    events = api_for(employer).get(f"/api/v1/proposals/{project.public_id}/events/").json()

    assert records() and CONTACT_VIEWED not in [event["action"] for event in events]
    assert list(selectors.proposal_history(project).filter(action=CONTACT_VIEWED)) == []


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

@pytest.mark.parametrize(("status", "seen"), [("published", True), ("draft", False),
                                               ("submitted", False), ("withdrawn", False)])
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
