"""The employer's interests page: the universities' profiles in bounded queries, welcoming or
turning down an interest with a reason, and who may see and answer."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import FocusArea, UniversityCapacity, UniversityStrength
from tests.factories import InterestFactory
from tests.pages import field_errors, flashed

from .helpers import detail_url, interest_url, is_login_redirect, publish, text

pytestmark = pytest.mark.django_db


# --- the employer's interests page ------------------------------------------------------------


@pytest.fixture
def own_project(employer):
    return publish(employer=employer.employer, partners_sought=2)


def interests_url(proposal) -> str:
    return reverse("projects:proposal-interests", args=[proposal.public_id])


def with_profile(interest, strengths: dict[str, float]) -> None:
    for code, weight in strengths.items():
        UniversityStrength.objects.create(
            university=interest.university, weight=weight, area=FocusArea.objects.get(code=code)
        )
    UniversityCapacity.objects.create(
        university=interest.university, project_type="internship_base", places=60, projects=4
    )


def test_the_employer_sees_the_interests_with_the_universities_profiles(client_for, employer, own_project):
    interest = InterestFactory(
        proposal=own_project,
        university__name="东南大学",
        students_offered=12,
        university__tier="double_first_class",
    )
    with_profile(interest, {"cv": 0.9, "ml.deep_learning": 0.4})
    InterestFactory(proposal=own_project, status="withdrawn")

    response = client_for(employer).get(interests_url(own_project))

    html = text(response)
    assert response.status_code == 200
    card = html.split(f'id="interest-{interest.public_id}"')[1].split("</article>")[0]
    for shown in (
        "东南大学",
        "Jiangsu 南京",
        "Double First-Class university",
        "Computer vision",
        "90%",
        "Deep learning",
        "40%",
        "60 student places, at most 4 projects",
        ">12<",
        interest.statement,
        interest.contact_email,
    ):
        assert shown in card
    assert card.index("Computer vision") < card.index("Deep learning")
    assert html.count('class="form respond-form"') == 1  # the withdrawn one has no form


def test_the_interests_page_makes_as_many_queries_for_8_interests_as_for_2(
    client_for, employer, own_project, django_assert_max_num_queries
):
    client = client_for(employer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(interests_url(own_project))
        return len(captured)

    for _ in range(2):
        with_profile(InterestFactory(proposal=own_project), {"cv": 0.5, "nlp": 0.3})
    two = count()
    for _ in range(6):
        with_profile(InterestFactory(proposal=own_project), {"robotics": 0.5, "tools.coding": 0.3})
    with django_assert_max_num_queries(two):
        client.get(interests_url(own_project))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("employer", 200),
        ("ministry", 200),
        ("other_employer", 404),
        ("university", 404),
        ("anonymous", "login"),
    ],
)
def test_who_sees_the_interests_page(client_for, own_project, university, persona, expected, request):
    InterestFactory(proposal=own_project, university=university.university)

    response = client_for(request.getfixturevalue(persona)).get(interests_url(own_project))

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    if persona == "ministry":
        assert "respond-form" not in text(response) and "Read only" in text(response)


def respond(client, interest, **data):
    prefix = interest.public_id.hex
    return client.post(
        interest_url("interest-respond", interest), {f"{prefix}-{key}": value for key, value in data.items()}
    )


def test_the_employer_welcomes_an_interest(
    client_for, employer, own_project, university, mailoutbox, django_capture_on_commit_callbacks
):
    interest = InterestFactory(proposal=own_project, university=university.university)

    with django_capture_on_commit_callbacks(execute=True):
        response = respond(client_for(employer), interest, response="welcome")

    interest.refresh_from_db()
    assert response.status_code == 302 and interest.response == "welcome"
    assert response.url.endswith(f"#interest-{interest.public_id}")
    assert len(mailoutbox) == 1
    # A welcome promises no partner place: only an introduction both sides accept does.
    assert re.search(r'id="places-left">2<', text(client_for(university).get(detail_url(own_project))))


def test_not_a_fit_needs_a_reason(client_for, employer, own_project):
    interest = InterestFactory(proposal=own_project)
    client = client_for(employer)

    refused = respond(client, interest, response="not_a_fit", reason="  ")
    interest.refresh_from_db()
    assert refused.status_code == 400 and interest.response == ""
    assert "Say why it is not a fit." in field_errors(refused)[f"{interest.public_id.hex}-reason"]

    accepted = respond(client, interest, response="not_a_fit", reason="需要本地高校。")
    interest.refresh_from_db()
    assert accepted.status_code == 302
    assert (interest.response, interest.response_reason) == ("not_a_fit", "需要本地高校。")


def test_an_answer_without_a_choice_is_refused(client_for, employer, own_project):
    interest = InterestFactory(proposal=own_project)

    response = respond(client_for(employer), interest, response="maybe")

    assert response.status_code == 400 and "form-errors" in text(response)
    interest.refresh_from_db()
    assert interest.response == ""


def test_a_withdrawn_interest_cannot_be_answered(client_for, employer, own_project):
    interest = InterestFactory(proposal=own_project, status="withdrawn")

    response = respond(client_for(employer), interest, response="welcome")

    assert response.status_code == 302 and "no longer" in flashed(response)[-1]
    interest.refresh_from_db()
    assert interest.response == ""


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ministry", 403),
        ("university", 403),
        ("other_employer", 404),
        ("other_university", 404),
        ("anonymous", "login"),
    ],
)
def test_only_the_projects_employer_answers(client_for, own_project, university, persona, expected, request):
    interest = InterestFactory(proposal=own_project, university=university.university)

    response = respond(client_for(request.getfixturevalue(persona)), interest, response="welcome")

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    interest.refresh_from_db()
    assert interest.response == ""
