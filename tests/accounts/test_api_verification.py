"""The accounts REST API: ministry staff verify or reject an organisation; the persona matrix
(who gets 200, 403, 404) and a refused second decision."""

import uuid

import pytest

from accounts.models import AuditEvent, University, VerificationStatus
from tests.accounts.helpers import url
from tests.factories import EmployerFactory, UniversityFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["employers", "universities"])
def test_ministry_verifies_a_pending_organisation(api_for, ministry, kind):
    factory = EmployerFactory if kind == "employers" else UniversityFactory
    organisation = factory(status=VerificationStatus.PENDING)

    response = api_for(ministry).post(url(kind, organisation, "verify"))

    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    organisation.refresh_from_db()
    assert organisation.is_verified


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("pending_employer", 403), ("other_employer", 404), ("university", 404), ("anonymous", 401)],
)
@pytest.mark.parametrize("action", ["verify", "reject"])
def test_only_ministry_may_verify_or_reject_an_employer(
    request, api_for, pending_employer, persona, expected, action
):
    organisation = pending_employer.employer

    response = api_for(request.getfixturevalue(persona)).post(
        url("employers", organisation, action), {"reason": "不合格"}, format="json"
    )

    assert response.status_code == expected
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("university", 403), ("other_university", 404), ("employer", 404), ("anonymous", 401)],
)
def test_only_ministry_may_verify_a_university(request, api_for, university, persona, expected):
    organisation = university.university
    organisation.status = VerificationStatus.PENDING
    organisation.save()

    response = api_for(request.getfixturevalue(persona)).post(url("universities", organisation, "verify"))

    assert response.status_code == expected
    assert University.objects.get(pk=organisation.pk).status == VerificationStatus.PENDING


def test_ministry_rejects_with_a_reason(
    api_for, ministry, pending_employer, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = pending_employer.employer

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(ministry).post(
            url("employers", organisation, "reject"), {"reason": "营业执照已过期"}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["status_reason"] == "营业执照已过期"
    assert [m.to for m in mailoutbox] == [[pending_employer.email]]
    assert "营业执照已过期" in mailoutbox[0].body


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}])
def test_rejection_without_a_reason_is_a_400(api_for, ministry, pending_employer, payload):
    organisation = pending_employer.employer

    response = api_for(ministry).post(url("employers", organisation, "reject"), payload, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING


def test_verifying_an_already_verified_organisation_is_refused_with_a_message(api_for, ministry, employer):
    response = api_for(ministry).post(url("employers", employer.employer, "verify"))

    assert response.status_code == 409
    assert response.json()["detail"]
    assert not AuditEvent.objects.exists()


def test_verifying_an_unknown_organisation_is_a_404(api_for, ministry):
    response = api_for(ministry).post(f"/api/v1/employers/{uuid.uuid4()}/verify/")

    assert response.status_code == 404
