"""The accounts HTML pages: a member's own organisation details (identity locked once verified)
and a university's profile. The persona matrix: who gets the page, and who the login page."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import Employer, VerificationStatus
from tests.accounts.conftest import code_with_check
from tests.accounts.helpers import DASHBOARD, PROFILE, input_tag, is_login_redirect, profile_form
from tests.factories import UniversityUserFactory
from tests.pages import field_errors

pytestmark = pytest.mark.django_db


# --- organisation details -----------------------------------------------------------------------

EDIT = reverse("accounts:organisation-edit")


def details_form(organisation) -> dict:
    fields = ["name", "province", "city", "contact_person", "phone", "email"]
    fields += (
        ["credit_code", "kind", "industry"]
        if isinstance(organisation, Employer)
        else ["institution_code", "tier"]
    )
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

    data = {
        **details_form(organisation),
        "name": "偷偷改名有限公司",
        "credit_code": code_with_check("91110108MA0000006"),
        "city": "通州",
    }
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


@pytest.mark.parametrize(
    ("field", "value"), [("phone", "999"), ("email", "x@"), ("city", ""), ("province", "00")]
)
def test_invalid_details_are_shown_at_the_field_and_not_saved(client_for, pending_employer, field, value):
    organisation = pending_employer.employer
    data = {**details_form(organisation), field: value, "contact_person": "新联系人"}

    response = client_for(pending_employer).post(EDIT, data)

    assert response.status_code == 400
    assert field_errors(response).get(field)
    assert Employer.objects.get(pk=organisation.pk).contact_person == organisation.contact_person


# --- university profile ---------------------------------------------------------------------


def test_profile_page_requires_login(client):
    assert is_login_redirect(client.get(PROFILE), PROFILE)


@pytest.mark.parametrize("persona", ["employer", "ministry"])
def test_profile_page_is_only_for_universities(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(PROFILE).status_code == 404


def test_university_sees_a_field_per_focus_area_and_capacity(client_for, university):
    response = client_for(university).get(PROFILE)

    assert response.status_code == 200
    for name in (
        "strength:ml",
        "strength:cv.medical_imaging",
        "capacity:internship_base:places",
        "capacity:workforce_development:projects",
    ):
        input_tag(response, name)


def test_university_saves_its_profile(client_for, university):
    organisation = university.university
    data = profile_form(
        **{
            "strength:ml": "0.75",
            "strength:nlp.speech": "0.25",
            "strength:cv": "0.0",
            "capacity:directed_training:places": "40",
            "capacity:directed_training:projects": "3",
        }
    )

    response = client_for(university).post(PROFILE, data)

    assert response.status_code == 302 and response.url == DASHBOARD
    strengths = dict(organisation.strengths.values_list("area__code", "weight"))
    assert strengths == {"ml": 0.75, "nlp.speech": 0.25}  # 较强 and 基础; 无 stores nothing
    capacities = {c.project_type: (c.places, c.projects) for c in organisation.capacities.all()}
    assert capacities == {
        "directed_training": (40, 3),
        "internship_base": (0, 0),
        "workforce_development": (0, 0),
    }
    page = client_for(university).get(PROFILE).content.decode()
    assert re.search(r'name="strength:ml"[^>]*>.*?<option value="0.75" selected>', page, re.S)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("strength:ml", "1.5"),
        ("strength:ml", "-0.2"),
        ("strength:ml", "high"),
        ("strength:ml", "0.8"),  # not one of the five levels
        ("capacity:internship_base:places", "-1"),
        ("capacity:internship_base:projects", "2.5"),
    ],
)
def test_invalid_profile_is_shown_at_the_field_and_not_saved(client_for, university, name, value):
    organisation = university.university
    client = client_for(university)
    client.post(PROFILE, profile_form(**{"strength:cv": "0.5"}))

    response = client.post(PROFILE, profile_form(**{"strength:nlp": "1.0", name: value}))

    assert response.status_code == 400
    assert field_errors(response).get(name)
    assert dict(organisation.strengths.values_list("area__code", "weight")) == {"cv": 0.5}


def test_an_earlier_strength_shows_as_the_nearest_level_with_the_levels_described(client_for, university):
    from accounts.models import FocusArea, UniversityStrength

    UniversityStrength.objects.create(
        university=university.university, area=FocusArea.objects.get(code="ml"), weight=0.63
    )
    page = client_for(university).get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'name="strength:ml"[^>]*>.*?<option value="0.75" selected>Strong</option>', page, re.S)
    assert 'id="strength-levels"' in page and "Among the country's leaders" in unescape(page)


def test_capacity_too_large_to_store_is_refused_not_crashed(client_for, university):
    response = client_for(university).post(
        PROFILE, profile_form(**{"capacity:internship_base:places": str(2**31)})
    )

    assert response.status_code == 400
    assert not university.university.capacities.exists()
