"""The accounts HTML pages: registration, dashboard, details, profile, review queue, language,
login and password reset. Each page's persona matrix: who gets 200, 403, 404 or the login page."""

import re

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Employer, University, User, VerificationStatus
from tests.accounts.conftest import code_with_check, row_counts
from tests.conftest import PASSWORD
from tests.factories import EmployerFactory, EmployerUserFactory, UniversityFactory, UniversityUserFactory
from tests.pages import field_errors

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Ai-match-2026!"
DASHBOARD = reverse("accounts:dashboard")
LOGIN = reverse("accounts:login")




def input_tag(response, name: str) -> str:
    match = re.search(rf'<(?:input|select)[^>]*\sname="{re.escape(name)}"[^>]*>', response.content.decode())
    assert match, f"no input named {name}"
    return match.group(0)


def is_login_redirect(response, next_url: str) -> bool:
    return response.status_code == 302 and response.url == f"{LOGIN}?next={next_url}"


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def employer_form(employer_fields):
    return {**employer_fields, "username": "yuntu", "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD}


@pytest.fixture
def university_form(university_fields):
    return {**university_fields, "username": "szdx", "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD}


def review_url(organisation) -> str:
    kind = "employer" if isinstance(organisation, Employer) else "university"
    return reverse("accounts:organisation-review", args=[kind, organisation.public_id])


# --- registration ---------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "code_field"), [("employer", "credit_code"),
                                                  ("university", "institution_code")])
def test_registration_form_renders_for_a_visitor(client, kind, code_field):
    response = client.get(reverse(f"accounts:register-{kind}"))

    assert response.status_code == 200
    for name in (code_field, "name", "province", "phone", "username", "password", "password_confirm"):
        input_tag(response, name)


def test_logged_in_user_is_sent_from_registration_to_the_dashboard(client_for, employer):
    response = client_for(employer).get(reverse("accounts:register-employer"))

    assert response.status_code == 302 and response.url == DASHBOARD


def test_employer_registration_logs_in_and_shows_the_pending_dashboard(client, employer_form):
    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 302 and response.url == DASHBOARD
    user = User.objects.get(username="yuntu")
    assert logged_in_user_id(client) == str(user.pk)
    assert user.employer.status == VerificationStatus.PENDING
    dashboard = client.get(DASHBOARD)
    assert employer_form["name"] in dashboard.content.decode()
    assert "badge-pending" in dashboard.content.decode()


def test_university_registration_logs_in_and_shows_the_pending_dashboard(client, university_form):
    response = client.post(reverse("accounts:register-university"), university_form)

    assert response.status_code == 302 and response.url == DASHBOARD
    university = University.objects.get(institution_code=university_form["institution_code"])
    assert university.status == VerificationStatus.PENDING
    assert logged_in_user_id(client) == str(university.users.get().pk)
    assert "badge-pending" in client.get(DASHBOARD).content.decode()


def test_registration_form_accepts_a_lower_case_credit_code(client, employer_form):
    code = employer_form["credit_code"]
    employer_form["credit_code"] = code.lower()

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 302
    assert Employer.objects.get(name=employer_form["name"]).credit_code == code


def test_registration_is_acknowledged_by_email_in_the_page_language(
    client, employer_form, mailoutbox, django_capture_on_commit_callbacks, zh_catalogue
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register-employer"), employer_form, HTTP_ACCEPT_LANGUAGE="en")

    assert User.objects.get(username="yuntu").language == "en"
    [email] = mailoutbox
    assert email.subject == "Registration received: awaiting verification"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_code": "91350100M000100Y4A"}, "credit_code"),
        ({"credit_code": "91350100S000100Y43"}, "credit_code"),
        ({"phone": "1234"}, "phone"),
        ({"email": "nobody"}, "email"),
        ({"province": "99"}, "province"),
        ({"name": ""}, "name"),
        ({"password_confirm": "Something-else-1"}, "password_confirm"),
        ({"password": "12345678", "password_confirm": "12345678"}, "password"),
        ({"username": "employer"}, "username"),
    ],
)
def test_invalid_registration_shows_the_error_at_its_field_and_writes_nothing(
    client, employer, employer_form, change, field
):
    employer_form.update(change)
    before = row_counts()

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 400
    errors = field_errors(response)
    assert errors.get(field), f"no error shown at {field}: {errors}"
    assert row_counts() == before
    assert logged_in_user_id(client) is None


def test_registration_with_a_taken_credit_code_shows_the_error_at_the_code(client, employer_form):
    EmployerFactory(credit_code=employer_form["credit_code"])
    before = row_counts()

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert response.status_code == 400
    assert field_errors(response).get("credit_code")
    assert row_counts() == before


def test_invalid_registration_keeps_what_was_typed(client, employer_form):
    employer_form["phone"] = "1234"

    response = client.post(reverse("accounts:register-employer"), employer_form)

    assert f'value="{employer_form["city"]}"' in input_tag(response, "city")
    assert "value=" not in input_tag(response, "password")


# --- dashboard ------------------------------------------------------------------------------

def test_dashboard_requires_login(client):
    assert is_login_redirect(client.get(DASHBOARD), DASHBOARD)


@pytest.mark.parametrize(("persona", "status"), [("employer", "verified"), ("pending_employer", "pending"),
                                                 ("university", "verified")])
def test_dashboard_shows_the_organisation_status(request, client_for, persona, status):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(DASHBOARD)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"badge-{status}" in html and user.organisation.name in html


def test_dashboard_of_a_rejected_organisation_shows_the_reason(client_for):
    member = EmployerUserFactory(employer__status=VerificationStatus.REJECTED,
                                 employer__status_reason="营业执照照片模糊")

    html = client_for(member).get(DASHBOARD).content.decode()

    assert "badge-rejected" in html and "营业执照照片模糊" in html


def test_ministry_dashboard_counts_organisations_awaiting_verification(client_for, ministry, employer):
    EmployerFactory.create_batch(3, status=VerificationStatus.PENDING)
    UniversityFactory.create_batch(2, status=VerificationStatus.PENDING)

    response = client_for(ministry).get(DASHBOARD)

    assert response.context["pending"] == {"employer": 3, "university": 2}
    assert re.findall(r'<p class="figure">(\d+)</p>', response.content.decode()) == ["3", "2"]


# --- organisation details -----------------------------------------------------------------------

EDIT = reverse("accounts:organisation-edit")


def details_form(organisation) -> dict:
    fields = ["name", "province", "city", "contact_person", "phone", "email"]
    fields += ["credit_code", "kind", "industry"] if isinstance(organisation, Employer) else \
        ["institution_code", "tier"]
    return {name: getattr(organisation, name) for name in fields}


def test_details_page_requires_login(client):
    assert is_login_redirect(client.get(EDIT), EDIT)


def test_ministry_staff_have_no_organisation_to_edit(client_for, ministry):
    assert client_for(ministry).get(EDIT).status_code == 404


def test_member_sees_its_own_organisation_in_the_details_form(client_for, employer, other_employer):
    response = client_for(employer).get(EDIT)

    assert response.status_code == 200
    assert f'value="{employer.employer.name}"' in input_tag(response, "name")
    assert other_employer.employer.name not in response.content.decode()


def test_member_of_a_pending_organisation_corrects_name_and_code(
    client_for, pending_employer, other_employer
):
    organisation = pending_employer.employer
    new_code = code_with_check("91110108MA0000005")
    data = {**details_form(organisation), "name": "更正后的名称有限公司", "credit_code": new_code}
    assert "disabled" not in input_tag(client_for(pending_employer).get(EDIT), "name")

    response = client_for(pending_employer).post(EDIT, data)

    assert response.status_code == 302 and response.url == DASHBOARD
    organisation.refresh_from_db()
    assert (organisation.name, organisation.credit_code) == ("更正后的名称有限公司", new_code)
    other = Employer.objects.get(pk=other_employer.employer_id)
    assert other.name == other_employer.employer.name


def test_identity_fields_of_a_verified_organisation_are_locked(client_for, employer):
    organisation = employer.employer
    client = client_for(employer)
    page = client.get(EDIT)
    assert "disabled" in input_tag(page, "name") and "disabled" in input_tag(page, "credit_code")
    assert "disabled" not in input_tag(page, "city")

    data = {**details_form(organisation), "name": "偷偷改名有限公司",
            "credit_code": code_with_check("91110108MA0000006"), "city": "通州"}
    response = client.post(EDIT, data)

    assert response.status_code == 302
    stored = Employer.objects.get(pk=organisation.pk)
    assert (stored.name, stored.credit_code) == (organisation.name, organisation.credit_code)
    assert stored.city == "通州"


def test_university_identity_fields_are_locked_after_verification(client_for, university):
    page = client_for(university).get(EDIT)

    assert "disabled" in input_tag(page, "name") and "disabled" in input_tag(page, "institution_code")


def test_rejected_organisation_goes_back_to_pending_when_its_details_are_saved(client_for):
    member = UniversityUserFactory(university__status=VerificationStatus.REJECTED)
    organisation = member.university

    response = client_for(member).post(EDIT, {**details_form(organisation), "phone": "13011112222"})

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.phone, organisation.status) == ("13011112222", VerificationStatus.PENDING)


@pytest.mark.parametrize(("field", "value"), [("phone", "999"), ("email", "x@"), ("city", ""),
                                              ("province", "00")])
def test_invalid_details_are_shown_at_the_field_and_not_saved(client_for, pending_employer, field, value):
    organisation = pending_employer.employer
    data = {**details_form(organisation), field: value, "contact_person": "新联系人"}

    response = client_for(pending_employer).post(EDIT, data)

    assert response.status_code == 400
    assert field_errors(response).get(field)
    assert Employer.objects.get(pk=organisation.pk).contact_person == organisation.contact_person


# --- university profile ---------------------------------------------------------------------

PROFILE = reverse("accounts:university-profile")


def profile_form(**values) -> dict:
    data = {f"capacity:{t}:{k}": "" for t in ("directed_training", "internship_base",
                                             "workforce_development") for k in ("places", "projects")}
    return {**data, **values}


def test_profile_page_requires_login(client):
    assert is_login_redirect(client.get(PROFILE), PROFILE)


@pytest.mark.parametrize("persona", ["employer", "ministry"])
def test_profile_page_is_only_for_universities(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(PROFILE).status_code == 404


def test_university_sees_a_field_per_focus_area_and_capacity(client_for, university):
    response = client_for(university).get(PROFILE)

    assert response.status_code == 200
    for name in ("strength:ml", "strength:cv.medical_imaging", "capacity:internship_base:places",
                 "capacity:workforce_development:projects"):
        input_tag(response, name)


def test_university_saves_its_profile(client_for, university):
    organisation = university.university
    data = profile_form(**{"strength:ml": "0.8", "strength:nlp.speech": "0.35", "strength:cv": "0",
                           "capacity:directed_training:places": "40",
                           "capacity:directed_training:projects": "3"})

    response = client_for(university).post(PROFILE, data)

    assert response.status_code == 302 and response.url == DASHBOARD
    strengths = dict(organisation.strengths.values_list("area__code", "weight"))
    assert strengths == {"ml": 0.8, "nlp.speech": 0.35}
    capacities = {c.project_type: (c.places, c.projects) for c in organisation.capacities.all()}
    assert capacities == {"directed_training": (40, 3), "internship_base": (0, 0),
                          "workforce_development": (0, 0)}
    page = client_for(university).get(PROFILE)
    assert 'value="0.8"' in input_tag(page, "strength:ml")


@pytest.mark.parametrize(
    ("name", "value"),
    [("strength:ml", "1.5"), ("strength:ml", "-0.2"), ("strength:ml", "high"),
     ("capacity:internship_base:places", "-1"), ("capacity:internship_base:projects", "2.5")],
)
def test_invalid_profile_is_shown_at_the_field_and_not_saved(client_for, university, name, value):
    organisation = university.university
    client = client_for(university)
    client.post(PROFILE, profile_form(**{"strength:cv": "0.5"}))

    response = client.post(PROFILE, profile_form(**{"strength:nlp": "0.9", name: value}))

    assert response.status_code == 400
    assert field_errors(response).get(name)
    assert dict(organisation.strengths.values_list("area__code", "weight")) == {"cv": 0.5}


def test_capacity_too_large_to_store_is_refused_not_crashed(client_for, university):
    response = client_for(university).post(
        PROFILE, profile_form(**{"capacity:internship_base:places": str(2**31)})
    )

    assert response.status_code == 400
    assert not university.university.capacities.exists()


# --- ministry queue and review ------------------------------------------------------------------

QUEUE = reverse("accounts:organisation-queue")


@pytest.mark.parametrize(("persona", "expected"), [("ministry", 200), ("employer", 403),
                                                   ("pending_employer", 403), ("university", 403)])
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
    return {"ministry": ministry, "member": pending_employer, "other_member": other_employer,
            "other_kind": university}


@pytest.mark.parametrize(("persona", "expected"), REVIEW_MATRIX)
def test_employer_review_page_persona_matrix(
    client_for, review_personas, pending_employer, persona, expected
):
    response = client_for(review_personas[persona]).get(review_url(pending_employer.employer))

    assert response.status_code == expected


@pytest.mark.parametrize(("persona", "expected"), [("ministry", 200), ("university", 403),
                                                   ("other_university", 404), ("employer", 404)])
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
    client_for(university).post(PROFILE, profile_form(**{"strength:robotics.embodied": "0.7"}))

    html = client_for(ministry).get(review_url(organisation)).content.decode()

    assert organisation.institution_code in html
    assert "0.7" in html
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


def test_ministry_verifies_from_the_review_page(client_for, ministry, pending_employer, mailoutbox,
                                                django_capture_on_commit_callbacks):
    path = review_url(pending_employer.employer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ministry).post(path, {"action": "verify"})

    assert response.status_code == 302 and response.url == path
    assert Employer.objects.get(pk=pending_employer.employer_id).is_verified
    assert AuditEvent.objects.get(action="verified").actor == ministry
    assert [m.to for m in mailoutbox] == [[pending_employer.email]]


def test_ministry_rejects_from_the_review_page_with_a_reason(client_for, ministry, university):
    organisation = university.university

    response = client_for(ministry).post(review_url(organisation), {"action": "reject",
                                                                     "reason": "院校代码与名称不符"})

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.status, organisation.status_reason) == ("rejected", "院校代码与名称不符")


def test_rejection_without_a_reason_shows_the_error_at_the_reason(client_for, ministry, pending_employer):
    response = client_for(ministry).post(review_url(pending_employer.employer),
                                         {"action": "reject", "reason": "  "})

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


# --- language -------------------------------------------------------------------------------

LANGUAGE = reverse("accounts:language")


def test_language_switch_is_remembered_for_the_users_emails(client_for, employer):
    client = client_for(employer)

    response = client.post(LANGUAGE, {"language": "en", "next": DASHBOARD})

    assert response.status_code == 302 and response.url == DASHBOARD
    assert User.objects.get(pk=employer.pk).language == "en"
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(DASHBOARD).content.decode()


def test_visitor_language_switch_sets_the_cookie_only(client):
    response = client.post(LANGUAGE, {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


def test_unknown_language_changes_nothing(client_for, employer):
    client = client_for(employer)

    client.post(LANGUAGE, {"language": "xx", "next": "/"})

    assert User.objects.get(pk=employer.pk).language == "zh-hans"
    assert "django_language" not in client.cookies


def test_language_switch_to_an_external_next_stays_on_the_site(client_for, employer):
    response = client_for(employer).post(LANGUAGE, {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302 and not response.url.startswith("https://evil")


def test_language_switch_needs_a_post(client_for, employer):
    assert client_for(employer).get(LANGUAGE, {"language": "en"}).status_code == 405
    assert User.objects.get(pk=employer.pk).language == "zh-hans"


# --- login, logout, password reset -------------------------------------------------------------

def test_login_with_the_right_password_opens_the_dashboard(client, employer):
    response = client.post(LOGIN, {"username": employer.username, "password": PASSWORD})

    assert response.status_code == 302 and response.url == DASHBOARD
    assert logged_in_user_id(client) == str(employer.pk)


def test_login_with_a_wrong_password_is_refused(client, employer):
    response = client.post(LOGIN, {"username": employer.username, "password": "wrong-password"})

    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    assert 'class="form-errors"' in response.content.decode()


def test_logged_in_user_is_sent_from_login_to_the_dashboard(client_for, employer):
    response = client_for(employer).get(LOGIN)

    assert response.status_code == 302 and response.url == DASHBOARD


def test_logout_ends_the_session(client_for, employer):
    client = client_for(employer)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302 and response.url == reverse("home")
    assert logged_in_user_id(client) is None
    assert is_login_redirect(client.get(DASHBOARD), DASHBOARD)


def test_password_reset_emails_a_link_that_sets_a_new_password(client, employer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": employer.email})

    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    [email] = mailoutbox
    assert email.to == [employer.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", email.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    new_password = "Brand-new-secret-7"
    done = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})

    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    assert User.objects.get(pk=employer.pk).check_password(new_password)


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, employer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.cn"})

    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert mailoutbox == []
