"""The accounts HTML pages: the ministry's queue of organisations and the review page where one
is verified or rejected. Each page's persona matrix: who gets 200, 403, 404 or the login page."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Employer, VerificationStatus
from tests.accounts.conftest import code_with_check
from tests.accounts.helpers import PROFILE, is_login_redirect, profile_form, review_url
from tests.factories import EmployerFactory
from tests.pages import field_errors

pytestmark = pytest.mark.django_db


# --- ministry queue and review ------------------------------------------------------------------

QUEUE = reverse("accounts:organisation-queue")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("ministry", 200), ("employer", 403), ("pending_employer", 403), ("university", 403)],
)
def test_queue_is_for_ministry_staff_only(request, client_for, persona, expected):
    assert client_for(request.getfixturevalue(persona)).get(QUEUE).status_code == expected


def test_queue_sends_visitors_to_login(client):
    assert is_login_redirect(client.get(QUEUE), QUEUE)


def test_queue_lists_pending_employers_by_default(client_for, ministry, employer, pending_employer):
    html = client_for(ministry).get(QUEUE).content.decode()

    assert pending_employer.employer.name in html
    assert employer.employer.name not in html


def test_queue_filters_by_kind_status_and_search(client_for, ministry, employer, university):
    client = client_for(ministry)
    other = EmployerFactory(name="深圳灵犀机器人有限公司", credit_code=code_with_check("91440300MA5000001"))

    verified = client.get(QUEUE, {"kind": "employer", "status": "verified"}).content.decode()
    universities = client.get(QUEUE, {"kind": "university", "status": "all"}).content.decode()
    by_name = client.get(QUEUE, {"status": "all", "q": "灵犀"}).content.decode()
    by_code = client.get(QUEUE, {"status": "all", "q": "91440300"}).content.decode()

    assert employer.employer.name in verified and other.name in verified
    assert university.university.name in universities and employer.employer.name not in universities
    assert other.name in by_name and employer.employer.name not in by_name
    assert other.name in by_code and employer.employer.name not in by_code


def test_queue_page_runs_a_fixed_number_of_queries(client_for, ministry, django_assert_max_num_queries):
    EmployerFactory.create_batch(30, status=VerificationStatus.PENDING)
    client = client_for(ministry)

    with django_assert_max_num_queries(6):
        response = client.get(QUEUE)

    assert len(response.context["page"]) == 25


REVIEW_MATRIX = [("ministry", 200), ("member", 403), ("other_member", 404), ("other_kind", 404)]


@pytest.fixture
def review_personas(ministry, pending_employer, other_employer, university):
    return {
        "ministry": ministry,
        "member": pending_employer,
        "other_member": other_employer,
        "other_kind": university,
    }


@pytest.mark.parametrize(("persona", "expected"), REVIEW_MATRIX)
def test_employer_review_page_persona_matrix(
    client_for, review_personas, pending_employer, persona, expected
):
    response = client_for(review_personas[persona]).get(review_url(pending_employer.employer))

    assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("ministry", 200), ("university", 403), ("other_university", 404), ("employer", 404)],
)
def test_university_review_page_persona_matrix(request, client_for, university, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(review_url(university.university))

    assert response.status_code == expected


def test_review_page_sends_visitors_to_login(client, pending_employer):
    path = review_url(pending_employer.employer)

    assert is_login_redirect(client.get(path), path)


def test_review_page_for_an_unknown_kind_or_id_is_a_404(client_for, ministry, pending_employer):
    client = client_for(ministry)
    public_id = pending_employer.employer.public_id

    assert client.get(f"/accounts/organisations/school/{public_id}/").status_code == 404
    assert client.get(f"/accounts/organisations/university/{public_id}/").status_code == 404


def test_review_page_shows_details_history_and_profile(client_for, ministry, university):
    organisation = university.university
    client_for(university).post(PROFILE, profile_form(**{"strength:robotics.embodied": "0.75"}))

    html = client_for(ministry).get(review_url(organisation)).content.decode()

    assert organisation.institution_code in html
    assert "0.75" in html
    assert "badge-verified" in html


@pytest.mark.parametrize("persona", ["member", "other_member", "other_kind"])
@pytest.mark.parametrize("action", ["verify", "reject"])
def test_only_ministry_may_post_a_review(client_for, review_personas, pending_employer, persona, action):
    response = client_for(review_personas[persona]).post(
        review_url(pending_employer.employer), {"action": action, "reason": "不行"}
    )

    assert response.status_code == dict(REVIEW_MATRIX)[persona]
    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


def test_visitor_posting_a_review_is_sent_to_login(client, pending_employer):
    path = review_url(pending_employer.employer)

    assert is_login_redirect(client.post(path, {"action": "verify"}), path)
    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


def test_ministry_verifies_from_the_review_page(
    client_for, ministry, pending_employer, mailoutbox, django_capture_on_commit_callbacks
):
    path = review_url(pending_employer.employer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ministry).post(path, {"action": "verify"})

    assert response.status_code == 302 and response.url == path
    assert Employer.objects.get(pk=pending_employer.employer_id).is_verified
    assert AuditEvent.objects.get(action="verified").actor == ministry
    assert [m.to for m in mailoutbox] == [[pending_employer.email]]


def test_ministry_rejects_from_the_review_page_with_a_reason(client_for, ministry, university):
    organisation = university.university

    response = client_for(ministry).post(
        review_url(organisation), {"action": "reject", "reason": "院校代码与名称不符"}
    )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.status, organisation.status_reason) == ("rejected", "院校代码与名称不符")


def test_rejection_without_a_reason_shows_the_error_at_the_reason(client_for, ministry, pending_employer):
    response = client_for(ministry).post(
        review_url(pending_employer.employer), {"action": "reject", "reason": "  "}
    )

    assert response.status_code == 400
    assert field_errors(response).get("reason")
    assert Employer.objects.get(pk=pending_employer.employer_id).status == VerificationStatus.PENDING


def test_verifying_twice_shows_a_message_and_changes_nothing(client_for, ministry, employer):
    client = client_for(ministry)
    path = review_url(employer.employer)

    response = client.post(path, {"action": "verify"}, follow=True)

    assert response.redirect_chain == [(path, 302)]
    assert 'class="message error"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="verified").exists()
