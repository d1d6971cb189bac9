"""The accounts REST API under /api/v1/: registration, review, profiles, visibility, auth."""

import json
import re
import uuid

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Employer, University, User, VerificationStatus
from tests.accounts.conftest import code_with_check, row_counts
from tests.conftest import PASSWORD
from tests.factories import EmployerFactory, EmployerUserFactory, UniversityFactory, UniversityUserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Ai-match-2026!"
TOP_LEVEL_AREAS = ["algorithms", "ml", "nlp", "cv", "robotics", "tools"]


@pytest.fixture
def employer_payload(employer_fields):
    return {**employer_fields, "username": "yuntu", "password": NEW_PASSWORD}


@pytest.fixture
def university_payload(university_fields):
    return {**university_fields, "username": "szdx", "password": NEW_PASSWORD}


def url(kind: str, organisation=None, action: str = "") -> str:
    path = f"/api/v1/{kind}/"
    if organisation is not None:
        path += f"{organisation.public_id}/"
    return path + (f"{action}/" if action else "")


# --- registration ---------------------------------------------------------------------------

def test_anonymous_registers_an_employer(api_for, anonymous, employer_payload):
    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    employer = Employer.objects.get(public_id=uuid.UUID(body["id"]))
    assert employer.credit_code == employer_payload["credit_code"] == body["credit_code"]
    assert User.objects.get(username="yuntu").employer == employer
    assert "password" not in body


def test_anonymous_registers_a_university(api_for, anonymous, university_payload):
    response = api_for(anonymous).post(url("universities"), university_payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["strengths"] == {} and body["capacity"] == {}
    university = University.objects.get(public_id=uuid.UUID(body["id"]))
    assert university.users.get().username == "szdx"


def test_registration_remembers_the_language_the_request_asked_for(api_for, anonymous, employer_payload):
    response = api_for(anonymous).post(url("employers"), employer_payload, format="json",
                                       HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 201
    assert User.objects.get(username="yuntu").language == "en"


def test_registration_ignores_a_status_the_client_sends(api_for, anonymous, employer_payload):
    employer_payload.update(status="verified", status_reason="", id=str(uuid.uuid4()))

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert Employer.objects.get(credit_code=employer_payload["credit_code"]).status == "pending"
    assert response.json()["id"] != employer_payload["id"]


def test_registration_acknowledgement_is_emailed(api_for, anonymous, employer_payload, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 201
    assert [m.to for m in mailoutbox] == [[employer_payload["email"]]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_code": "91350100M000100Y4A"}, "credit_code"),
        ({"credit_code": "91350100M000100Y4"}, "credit_code"),
        ({"credit_code": "91３50100M000100Y43"}, "credit_code"),
        ({"phone": "12345"}, "phone"),
        ({"province": "99"}, "province"),
        ({"kind": "startup"}, "kind"),
        ({"email": "nobody"}, "email"),
        ({"password": "12345678"}, "password"),
        ({"username": "bad name!"}, "username"),
        ({"name": ["云图", "科技"]}, "name"),
        ({"name": {"zh": "云图"}}, "name"),
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"name": "名" * 201}, "name"),
        ({"name": "云图\x00科技"}, "name"),
        ({"password": True}, "password"),
    ],
)
def test_invalid_employer_registration_is_a_400_by_field_and_writes_nothing(
    api_for, anonymous, employer_payload, change, field
):
    employer_payload.update(change)
    before = row_counts()

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert row_counts() == before


@pytest.mark.parametrize(
    "missing",
    ["name", "institution_code", "tier", "province", "city", "contact_person", "phone", "email",
     "username", "password"],
)
def test_university_registration_missing_a_field_is_a_400_naming_it(
    api_for, anonymous, university_payload, missing
):
    del university_payload[missing]
    before = row_counts()

    response = api_for(anonymous).post(url("universities"), university_payload, format="json")

    assert response.status_code == 400
    assert missing in response.json()
    assert row_counts() == before


def test_registration_with_a_taken_credit_code_is_a_400(api_for, anonymous, employer_payload):
    EmployerFactory(credit_code=employer_payload["credit_code"])
    before = row_counts()

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert row_counts() == before


def test_registration_with_a_taken_institution_code_is_a_400(api_for, anonymous, university_payload):
    UniversityFactory(institution_code=university_payload["institution_code"])

    response = api_for(anonymous).post(url("universities"), university_payload, format="json")

    assert response.status_code == 400
    assert "institution_code" in response.json()


def test_registration_with_a_taken_username_is_a_400(api_for, anonymous, employer, employer_payload):
    employer_payload["username"] = employer.username
    before = row_counts()

    response = api_for(anonymous).post(url("employers"), employer_payload, format="json")

    assert response.status_code == 400
    assert "username" in response.json()
    assert row_counts() == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"name": "云图", ', "application/json"),
        ("", "application/json"),
        ("[]", "application/json"),
        ('"just a string"', "application/json"),
        ("null", "application/json"),
        ("{\"name\": NaN}", "application/json"),
        ("name=%E4%BA%91", "text/plain"),
    ],
)
def test_malformed_registration_body_is_a_4xx_not_a_500(api_for, anonymous, body, content_type):
    before = row_counts()

    response = api_for(anonymous).generic("POST", url("employers"), body, content_type)

    assert response.status_code in (400, 415), response.content
    assert row_counts() == before


def test_lone_surrogate_in_an_otherwise_valid_registration_is_a_400(api_for, anonymous, employer_payload):
    # Valid JSON ("\ud800" escaped) that no database can store as UTF-8.
    body = json.dumps({**employer_payload, "name": "云图\ud800科技"})
    before = row_counts()

    response = api_for(anonymous).generic("POST", url("employers"), body, "application/json")

    assert response.status_code == 400
    assert "name" in response.json()
    assert row_counts() == before


def test_registration_accepts_form_encoded_input(api_for, anonymous, university_payload):
    response = api_for(anonymous).post(url("universities"), university_payload)

    assert response.status_code == 201


# --- verify / reject -------------------------------------------------------------------------

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


def test_ministry_rejects_with_a_reason(api_for, ministry, pending_employer, mailoutbox,
                                        django_capture_on_commit_callbacks):
    organisation = pending_employer.employer

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(ministry).post(url("employers", organisation, "reject"),
                                          {"reason": "营业执照已过期"}, format="json")

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


# --- university detail and profile ---------------------------------------------------------

PROFILE = {
    "strengths": {"ml": 0.9, "cv.medical_imaging": 0.5},
    "capacity": {"directed_training": {"places": 30, "projects": 2},
                 "internship_base": {"places": 0, "projects": 0}},
}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("university", 200), ("ministry", 200), ("other_university", 404), ("employer", 404),
     ("anonymous", 401)],
)
def test_university_detail_visibility(request, api_for, university, persona, expected):
    response = api_for(request.getfixturevalue(persona)).get(url("universities", university.university))

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == str(university.university.public_id)


def test_university_detail_with_a_malformed_id_is_a_404(api_for, ministry):
    assert api_for(ministry).get("/api/v1/universities/not-a-uuid/").status_code == 404


def test_university_updates_its_profile(api_for, university):
    response = api_for(university).patch(url("universities", university.university), PROFILE,
                                         format="json")

    assert response.status_code == 200, response.content
    assert response.json()["strengths"] == PROFILE["strengths"]
    assert response.json()["capacity"] == PROFILE["capacity"]
    again = api_for(university).get(url("universities", university.university)).json()
    assert (again["strengths"], again["capacity"]) == (PROFILE["strengths"], PROFILE["capacity"])


def test_ministry_updates_a_university_profile(api_for, ministry, university):
    response = api_for(ministry).patch(url("universities", university.university),
                                       {"strengths": {"nlp": 1}}, format="json")

    assert response.status_code == 200
    assert response.json()["strengths"] == {"nlp": 1.0}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("other_university", 404), ("employer", 404), ("anonymous", 401)],
)
def test_outsiders_may_not_update_a_university(request, api_for, university, persona, expected):
    response = api_for(request.getfixturevalue(persona)).patch(
        url("universities", university.university), {"strengths": {"ml": 1}, "city": "苏州"},
        format="json",
    )

    assert response.status_code == expected
    fresh = University.objects.get(pk=university.university_id)
    assert fresh.city == "南京" and not fresh.strengths.exists()


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"strengths": {"quantum": 0.5}}, "strengths"),
        ({"strengths": {"ml": 1.5}}, "strengths"),
        ({"strengths": {"ml": -0.5}}, "strengths"),
        ({"strengths": {"ml": "high"}}, "strengths"),
        ({"strengths": [["ml", 0.5]]}, "strengths"),
        ({"strengths": {"ml": None}}, "strengths"),
        ({"capacity": {"directed_training": {"places": -1, "projects": 1}}}, "capacity"),
        ({"capacity": {"directed_training": {"places": 1.5, "projects": 1}}}, "capacity"),
        ({"capacity": {"directed_training": {"places": 2**31, "projects": 1}}}, "capacity"),
        ({"capacity": {"research": {"places": 1, "projects": 1}}}, "capacity"),
        ({"capacity": {"directed_training": 5}}, "capacity"),
        ({"capacity": "lots"}, "capacity"),
        ({"city": "苏州", "strengths": {"quantum": 0.5}}, "strengths"),
        ({"phone": "000", "strengths": {"ml": 0.1}}, "phone"),
        ({"name": "改名大学"}, "name"),
        ({"institution_code": "4132000000"}, "institution_code"),
    ],
)
def test_bad_university_patch_is_a_400_and_changes_nothing(api_for, university, patch, field):
    organisation = university.university
    api_for(university).patch(url("universities", organisation), PROFILE, format="json")
    before = api_for(university).get(url("universities", organisation)).json()

    response = api_for(university).patch(url("universities", organisation), patch, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert api_for(university).get(url("universities", organisation)).json() == before


@pytest.mark.parametrize(
    "body",
    ["[]", '"strengths"', '{"strengths": ', '{"strengths": {"ml": 1e400}}', '{"strengths": {"ml": NaN}}',
     '{"capacity": {"internship_base": {"places": 1e400, "projects": 1}}}'],
)
def test_malformed_university_patch_is_a_400_not_a_500(api_for, university, body):
    organisation = university.university

    response = api_for(university).generic("PATCH", url("universities", organisation), body,
                                           "application/json")

    assert response.status_code == 400, response.content
    assert not organisation.strengths.exists() and not organisation.capacities.exists()


def test_pending_employer_fixes_its_own_details(api_for, pending_employer):
    organisation = pending_employer.employer
    new_code = code_with_check("91110108MA0000003")

    response = api_for(pending_employer).patch(
        url("employers", organisation), {"industry": "金融科技", "credit_code": new_code.lower()},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["credit_code"] == new_code
    organisation.refresh_from_db()
    assert (organisation.industry, organisation.credit_code) == ("金融科技", new_code)


def test_verified_employer_may_not_change_its_credit_code(api_for, employer):
    organisation = employer.employer

    response = api_for(employer).patch(url("employers", organisation),
                                       {"credit_code": code_with_check("91110108MA0000004")}, format="json")

    assert response.status_code == 400
    assert "credit_code" in response.json()
    assert Employer.objects.get(pk=organisation.pk).credit_code == organisation.credit_code


def test_rejected_employer_fixing_its_details_goes_back_to_pending(api_for):
    member = EmployerUserFactory(employer__status=VerificationStatus.REJECTED,
                                 employer__status_reason="电话错")

    response = api_for(member).patch(url("employers", member.employer), {"phone": "13312345678"},
                                     format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert Employer.objects.get(pk=member.employer_id).phone == "13312345678"


# --- lists ------------------------------------------------------------------------------------

def ids(response) -> set[str]:
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_ministry_lists_every_employer(api_for, ministry, employer, other_employer, pending_employer):
    expected = {str(u.employer.public_id) for u in (employer, other_employer, pending_employer)}

    assert ids(api_for(ministry).get(url("employers"))) == expected


def test_a_member_lists_only_its_own_employer(api_for, employer, other_employer, pending_employer):
    assert ids(api_for(employer).get(url("employers"))) == {str(employer.employer.public_id)}


def test_a_university_member_lists_no_employers(api_for, university, employer):
    assert ids(api_for(university).get(url("employers"))) == set()


def test_anonymous_may_not_list_employers(api_for, anonymous, employer):
    assert api_for(anonymous).get(url("employers")).status_code == 401


def test_ministry_filters_employers_by_status(api_for, ministry, employer, pending_employer):
    response = api_for(ministry).get(url("employers"), {"status": "pending"})

    assert ids(response) == {str(pending_employer.employer.public_id)}


def test_university_list_loads_profiles_without_a_query_per_university(
    api_for, ministry, django_assert_max_num_queries
):
    for i in range(8):
        member = UniversityUserFactory()
        api_for(member).patch(url("universities", member.university), {
            "strengths": {"ml": 0.1 * (i + 1), "cv": 0.5, "nlp.speech": 0.3},
            "capacity": {"directed_training": {"places": 10 + i, "projects": 1},
                         "internship_base": {"places": 5, "projects": 2}},
        }, format="json")
    api = api_for(ministry)

    with django_assert_max_num_queries(6):
        response = api.get(url("universities"))

    rows = response.json()["results"]
    assert len(rows) == 8
    assert all(set(row["strengths"]) == {"ml", "cv", "nlp.speech"} for row in rows)
    assert all(len(row["capacity"]) == 2 for row in rows)


def test_employer_list_runs_a_fixed_number_of_queries(api_for, ministry, django_assert_max_num_queries):
    EmployerFactory.create_batch(10)
    api = api_for(ministry)

    with django_assert_max_num_queries(3):
        response = api.get(url("employers"))

    assert response.json()["count"] == 10


# --- focus areas, me, tokens ----------------------------------------------------------------

def test_focus_areas_are_public_with_six_top_level_areas(api_for, anonymous):
    response = api_for(anonymous).get("/api/v1/focus-areas/")

    assert response.status_code == 200
    areas = response.json()
    top = [a["code"] for a in areas if a["parent"] is None]
    assert top == TOP_LEVEL_AREAS
    subs = [a for a in areas if a["parent"] is not None]
    assert {a["parent"] for a in subs} == set(TOP_LEVEL_AREAS)
    assert all(a["code"].startswith(a["parent"] + ".") for a in subs)
    assert all(a["name_zh"] and a["name_en"] for a in areas)


def test_a_sub_area_is_addressed_by_its_code(api_for, anonymous):
    response = api_for(anonymous).get("/api/v1/focus-areas/cv.medical_imaging/")

    assert response.status_code == 200
    assert response.json() == {"code": "cv.medical_imaging", "name_zh": "医学影像分析",
                               "name_en": "Medical imaging", "parent": "cv"}


@pytest.mark.parametrize(
    ("persona", "role", "status"),
    [("employer", "employer", "verified"), ("pending_employer", "employer", "pending"),
     ("university", "university", "verified"), ("ministry", "ministry", None)],
)
def test_me_tells_role_and_organisation_status(request, api_for, persona, role, status):
    user = request.getfixturevalue(persona)

    body = api_for(user).get("/api/v1/me/").json()

    assert body["username"] == user.username and body["role"] == role
    if status is None:
        assert body["organisation"] is None
    else:
        assert body["organisation"]["status"] == status
        assert body["organisation"]["id"] == str(user.organisation.public_id)


def test_me_shows_a_rejected_organisation_with_its_reason(api_for, ministry, pending_employer):
    api_for(ministry).post(url("employers", pending_employer.employer, "reject"),
                           {"reason": "信息不全"}, format="json")

    member = User.objects.get(pk=pending_employer.pk)  # as a new request would load it
    organisation = api_for(member).get("/api/v1/me/").json()["organisation"]

    assert organisation["status"] == "rejected" and organisation["status_reason"] == "信息不全"


def test_me_requires_authentication(api_for, anonymous):
    assert api_for(anonymous).get("/api/v1/me/").status_code == 401


def test_token_from_username_and_password_authenticates_requests(employer):
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": employer.username, "password": PASSWORD},
                        format="json")
    assert response.status_code == 200
    token = response.json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")

    assert me.status_code == 200
    assert me.json()["username"] == employer.username


def test_wrong_password_gets_no_token(employer):
    response = APIClient().post("/api/v1/auth/token/", {"username": employer.username, "password": "nope"},
                                format="json")

    assert response.status_code == 400
    assert "token" not in response.json()


def test_an_unknown_token_is_refused(employer):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert api.get("/api/v1/me/").status_code == 401


# --- schema and docs -----------------------------------------------------------------------

def test_openapi_schema_lists_the_accounts_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in ["/api/v1/employers/", "/api/v1/employers/{id}/verify/", "/api/v1/employers/{id}/reject/",
                 "/api/v1/universities/{id}/", "/api/v1/focus-areas/", "/api/v1/me/",
                 "/api/v1/auth/token/"]:
        assert path in paths


def test_openapi_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yml"))

    assert "openapi:" in (tmp_path / "schema.yml").read_text()


def test_api_docs_page_loads_nothing_from_the_internet(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert references, "the docs page should load its scripts and styles"
    assert not [ref for ref in references if re.match(r"(?i)(https?:)?//", ref)]
    assert not re.search(r"""(?i)url\(\s*["']?(https?:)?//""", html)
