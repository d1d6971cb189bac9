"""Issue 11: every state change, credential and copy of personal data lands in the audit log,
filed under the right object with the right actor."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from projects import services
from projects.models import Interest
from tests.factories import (
    CallFactory,
    InterestFactory,
    ProposalFactory,
    UniversityFactory,
    plain_pdf,
)

pytestmark = pytest.mark.django_db
PASSWORD, NEW_PASSWORD = "Correct-Horse-9", "Ai-match-2026!"


def last(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


def assert_audited(action: str, actor, target) -> AuditEvent:
    event = last(action)
    assert (event.actor, event.target) == (actor, target)
    return event


@pytest.fixture
def draft(employer):
    return ProposalFactory(employer=employer.employer, status="draft")


@pytest.fixture
def interest(university):
    return InterestFactory(university=university.university)


def test_starting_a_draft_is_audited(employer):
    proposal = services.proposal_create(
        actor=employer,
        call=CallFactory(),
        fields={"project_type": "internship_base", "title": "智能客服实习"},
    )
    assert assert_audited("proposal_created", employer, proposal).to_status == "draft"


def test_editing_a_draft_is_audited_with_the_changed_fields(employer, draft):
    services.proposal_update(
        actor=employer, proposal=draft, fields={"summary": "新的摘要", "title": draft.title}
    )
    assert assert_audited("proposal_edited", employer, draft).comment == "summary"


def test_adding_and_removing_an_attachment_is_audited(employer, draft):
    upload = SimpleUploadedFile("方案.pdf", plain_pdf(), content_type="application/pdf")
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=upload)
    assert assert_audited("attachment_added", employer, draft).comment == "方案.pdf"
    services.attachment_remove(actor=employer, attachment=attachment)
    assert assert_audited("attachment_removed", employer, draft).comment == "方案.pdf"


def test_expressing_interest_is_audited(university):
    proposal = ProposalFactory(status="published")
    university.university.capacities.create(project_type=proposal.project_type, places=50, projects=5)
    interest = services.interest_create(
        actor=university, proposal=proposal, fields={"students_offered": 5, "statement": "我校可派出学生。"}
    )
    assert_audited("interest_expressed", university, interest)


def test_changing_an_interest_is_audited(university, interest):
    university.university.capacities.create(
        project_type=interest.proposal.project_type, places=50, projects=5
    )
    services.interest_update(actor=university, interest=interest, fields={"students_offered": 8})
    assert assert_audited("interest_changed", university, interest).comment == "students_offered"


def test_withdrawing_an_interest_is_audited(university, interest):
    services.interest_withdraw(actor=university, interest=interest)
    assert_audited("interest_withdrawn", university, interest)


@pytest.mark.parametrize(("response", "reason"), [("welcome", ""), ("not_a_fit", "专业不对口")])
def test_answering_an_interest_is_audited(employer, response, reason):
    interest = InterestFactory(
        proposal=ProposalFactory(employer=employer.employer, status="published"),
        university=UniversityFactory(),
    )
    services.interest_respond(actor=employer, interest=interest, response=response, reason=reason)
    assert assert_audited(f"interest_{response}", employer, interest).comment == reason
    assert Interest.objects.get(pk=interest.pk).response == response


def test_changing_ones_password_is_audited(client, employer):
    client.force_login(employer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert_audited("password_changed", employer, employer)


def test_resetting_a_password_by_the_emailed_link_is_audited(client, employer):
    uid = urlsafe_base64_encode(force_bytes(employer.pk))
    token = default_token_generator.make_token(employer)
    form = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
    response = client.post(form.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert_audited("password_reset", employer, employer)


def test_issuing_an_api_token_is_audited(employer):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": employer.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200 and response.json()["token"]
    assert_audited("token_issued", employer, employer)


def test_a_refused_token_request_issues_no_audited_token(employer):
    APIClient().post(
        "/api/v1/auth/token/", {"username": employer.username, "password": "wrong"}, format="json"
    )
    assert not AuditEvent.objects.filter(action="token_issued").exists()


def test_an_export_is_audited_under_the_readers_organisation(client, employer, draft):
    client.force_login(employer)
    response = client.get(reverse("downloads:proposals"), {"format": "csv"})
    b"".join(response.streaming_content)
    event = assert_audited("data_exported", employer, employer.employer)
    assert event.comment.startswith("proposals-") and event.comment.endswith(".csv")


def test_downloading_an_attachment_is_audited(client, employer, draft):
    upload = SimpleUploadedFile("方案.pdf", plain_pdf(), content_type="application/pdf")
    attachment = services.attachment_add(actor=employer, proposal=draft, upload=upload)
    client.force_login(employer)
    response = client.get(
        reverse("projects:attachment-download", args=[draft.public_id, attachment.public_id])
    )
    assert response.status_code == 200
    assert assert_audited("data_exported", employer, draft).comment == "attachment 方案.pdf"


def test_an_admin_edit_is_audited_under_the_edited_object(ministry, employer):
    organisation = employer.employer
    LogEntry.objects.log_actions(
        user_id=ministry.pk,
        queryset=[organisation],
        action_flag=CHANGE,
        change_message="Changed city.",
        single_object=True,
    )
    assert assert_audited("admin_change", ministry, organisation).comment == "changed: Changed city."


def test_saving_and_deleting_a_search_is_audited(university):
    from projects.services import saved_searches

    saved = saved_searches.saved_search_create(actor=university, name="视觉 实习", query="area=cv")
    assert assert_audited("saved_search_created", university, saved).comment == "视觉 实习"
    pk = saved.pk
    saved_searches.saved_search_delete(actor=university, saved_search=saved)
    deleted = last("saved_search_deleted")
    assert (deleted.actor, deleted.object_id) == (university, pk)


def test_choosing_a_language_is_audited(client_for, employer):
    client_for(employer).post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert assert_audited("language_changed", employer, employer).to_status == "en"
    client_for(employer).post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert AuditEvent.objects.filter(action="language_changed").count() == 1  # no change, no record


def test_choosing_the_email_digest_is_audited_with_a_label_in_both_languages(client_for, employer):
    client = client_for(employer)
    assert client.post(reverse("accounts:inbox"), {"email_digest": "daily"}).status_code == 302
    event = assert_audited("email_digest_changed", employer, employer)
    assert event.to_status == "daily"
    client.post(reverse("accounts:inbox"), {"email_digest": "daily"})
    assert AuditEvent.objects.filter(action="email_digest_changed").count() == 1  # no change
    client.post(reverse("accounts:inbox"), {"email_digest": "each"})
    assert last("email_digest_changed").to_status == "each"
    with translation.override("en"):
        assert str(event.action_label) == "Email preference changed"
    with translation.override("zh-hans"):
        assert str(event.action_label) == "已更改邮件提醒设置"


def test_every_new_action_has_a_label():
    from common.audit import action_labels

    for code in [
        "proposal_created",
        "proposal_edited",
        "attachment_added",
        "attachment_removed",
        "interest_expressed",
        "interest_changed",
        "interest_withdrawn",
        "interest_welcome",
        "interest_not_a_fit",
        "password_changed",
        "password_reset",
        "token_issued",
        "data_exported",
        "admin_change",
        "token_revoked",
        "two_factor_enrolled",
        "two_factor_failed",
        "recovery_codes_made",
        "recovery_code_used",
        "saved_search_created",
        "saved_search_deleted",
        "language_changed",
        "email_digest_changed",
    ]:
        assert code in action_labels()
