"""A credit code's division digits (characters 3 to 8) name the province that registered it: a
code that clearly names another province is refused, one issued nationally is taken."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import services
from accounts.models import Employer
from accounts.validators import credit_code_province

from .conftest import code_with_check, row_counts

pytestmark = pytest.mark.django_db


def register(fields: dict):
    return services.organisation_register(
        model=Employer, fields=fields, username="yuntu", password="Correct-Horse-9"
    )


@pytest.mark.parametrize(
    ("code", "province"),
    [("91320100MA1N2P3Q4X", "32"), ("91100000MA1N2P3Q4X", None), ("9111010800000000X", None)],
)
def test_the_province_is_read_from_the_division_digits(code, province):
    assert credit_code_province(code) == province


def test_a_code_registered_in_another_province_is_refused_and_nothing_is_written(employer_fields):
    before = row_counts()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        register({**employer_fields, "province": "11"})
    assert refused.value.message_dict["credit_code"] == [
        "Characters 3 to 8 of this code say it was registered in Jiangsu, but the province given "
        "is Beijing; check the code and the province."
    ]
    assert row_counts() == before


def test_a_nationally_issued_code_is_taken_whatever_the_province(employer_fields):
    national = code_with_check("91100000MA1N2P3Q4")
    user = register({**employer_fields, "credit_code": national, "province": "11"})
    assert user.employer.credit_code == national


def test_moving_to_a_province_the_code_contradicts_is_refused(employer_fields):
    user = register(employer_fields)
    with pytest.raises(ValidationError) as refused:
        services.organisation_update(actor=user, organisation=user.employer, fields={"province": "44"})
    assert "credit_code" in refused.value.message_dict
    user.employer.refresh_from_db()
    assert user.employer.province == "32"


def test_registering_with_a_national_code_warns_that_its_region_was_not_checked(client, employer_form):
    national = code_with_check("91100000MA1N2P3Q4")
    response = client.post(
        "/accounts/register/employer/",
        {**employer_form, "credit_code": national},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "its region could not be checked against the province" in response.content.decode()


def test_registering_with_a_provincial_code_gives_no_such_warning(client, employer_form):
    response = client.post(
        "/accounts/register/employer/", employer_form, HTTP_ACCEPT_LANGUAGE="en", follow=True
    )
    assert response.redirect_chain and "could not be checked" not in response.content.decode()
