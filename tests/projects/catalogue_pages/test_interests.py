"""Expressing, changing and withdrawing interest through the pages: capacity, one interest per
project, the call's allowance, the employer's answer, and who may act."""

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import Interest, Proposal
from tests.factories import InterestFactory
from tests.pages import field_errors, flashed

from .helpers import detail_url, give_capacity, interest_url, is_login_redirect, publish, text

pytestmark = pytest.mark.django_db


# --- expressing, changing and withdrawing interest ---------------------------------------------


def express(client, project, **data):
    return client.post(
        reverse("projects:interest-create", args=[project.public_id]),
        {"students_offered": 5, "statement": "我校人工智能学院有相关方向。", **data},
    )


def test_a_university_expresses_interest(client_for, university, project, django_capture_on_commit_callbacks):
    give_capacity(university, 10)
    client = client_for(university)

    with django_capture_on_commit_callbacks(execute=True):
        response = express(client, project, contact_person="", contact_email="ai-lab@example.edu.cn")

    assert response.status_code == 302 and response.url == detail_url(project)
    interest = Interest.objects.get()
    assert (interest.university_id, interest.students_offered) == (university.university_id, 5)
    assert interest.contact_person == "李娜"  # left empty: the university's own
    assert interest.contact_email == "ai-lab@example.edu.cn"
    assert "sent to the employer" in flashed(response)[-1]
    html = text(client.get(detail_url(project)))
    assert 'id="my-interest"' in html and "我校人工智能学院有相关方向。" in html
    assert "No answer yet." in html and 'id="interest-form"' not in html
    assert "Student places left for Employment internship base: <strong>5</strong> of 10" in html


def test_offering_more_students_than_the_capacity_is_shown_on_the_field(client_for, university, project):
    give_capacity(university, 10)
    InterestFactory(university=university.university, students_offered=7, proposal=publish(call=project.call))

    response = express(client_for(university), project, students_offered=4)

    assert response.status_code == 400
    assert "at most 3 more can be offered" in field_errors(response)["students_offered"][0]
    assert Interest.objects.filter(proposal=project).count() == 0
    assert "我校人工智能学院有相关方向。" in text(response)  # what was typed is kept


def test_a_second_interest_in_the_same_project_is_refused(client_for, university, project):
    give_capacity(university, 50)
    InterestFactory(university=university.university, proposal=project)

    response = express(client_for(university), project)

    assert response.status_code == 302
    assert "already expressed interest" in flashed(response)[-1]
    assert Interest.objects.filter(proposal=project).count() == 1


def test_the_calls_allowance_is_enforced(client_for, university, project):
    give_capacity(university, 50)
    project.call.max_interests_per_university = 1
    project.call.save()
    InterestFactory(university=university.university, proposal=publish(call=project.call))

    response = express(client_for(university), project)

    assert "used all 1 expressions of interest" in flashed(response)[-1]
    assert not Interest.objects.filter(proposal=project).exists()


def test_interest_in_an_unpublished_project_is_refused(client_for, university, project, monkeypatch):
    give_capacity(university, 50)
    client = client_for(university)
    Proposal.objects.filter(pk=project.pk).update(status="withdrawn")

    assert express(client, project).status_code == 404
    # Withdrawn between loading the project and saving the interest: the service refuses.
    monkeypatch.setattr("projects.views.interests.load_project", lambda public_id: project)
    response = express(client, project)

    assert "only in a published project" in flashed(response)[-1]
    assert not Interest.objects.exists()


def test_bad_interest_input_is_shown_on_the_fields(client_for, university, project):
    give_capacity(university, 50)

    response = express(
        client_for(university), project, students_offered=0, statement="", contact_phone="12345"
    )

    errors = field_errors(response)
    assert response.status_code == 400
    assert set(errors) >= {"students_offered", "statement", "contact_phone"}
    assert not Interest.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("pending_university", 403),
        ("employer", 403),
        ("ministry", 403),
        ("anonymous", "login"),
    ],
)
def test_only_verified_universities_express_interest(client_for, project, persona, expected, request):
    response = express(client_for(request.getfixturevalue(persona)), project)

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    assert not Interest.objects.exists()


def test_a_university_changes_its_interest(client_for, university, project):
    give_capacity(university, 10)
    interest = InterestFactory(university=university.university, proposal=project, students_offered=3)
    client = client_for(university)

    response = client.post(
        interest_url("interest-edit", interest),
        {"students_offered": 6, "statement": "新的说明", "next": detail_url(project)},
    )

    interest.refresh_from_db()
    assert response.status_code == 302 and response.url == detail_url(project)
    assert (interest.students_offered, interest.statement) == (6, "新的说明")
    too_many = client.post(
        interest_url("interest-edit", interest), {"students_offered": 11, "statement": "新的说明"}
    )
    assert too_many.status_code == 400
    assert "at most 10 more" in field_errors(too_many)["students_offered"][0]
    interest.refresh_from_db()
    assert interest.students_offered == 6


def test_a_university_withdraws_its_interest_and_may_express_again(client_for, university, project):
    give_capacity(university, 10)
    interest = InterestFactory(university=university.university, proposal=project)
    client = client_for(university)

    response = client.post(interest_url("interest-withdraw", interest))
    again = client.post(interest_url("interest-withdraw", interest))

    interest.refresh_from_db()
    assert response.status_code == 302 and interest.status == "withdrawn"
    assert "can no longer be changed" in flashed(again)[-1]
    html = text(client.get(detail_url(project)))
    assert 'id="interest-form"' in html and 'id="my-interest"' not in html
    assert express(client, project).status_code == 302
    assert Interest.objects.filter(proposal=project, status="live").count() == 1


def test_an_introduced_interest_can_no_longer_be_changed(client_for, university, project):
    interest = InterestFactory(university=university.university, proposal=project, status="introduced")
    client = client_for(university)

    html = text(client.get(detail_url(project)))
    edit = client.post(interest_url("interest-edit", interest), {"students_offered": 2, "statement": "x"})

    assert 'id="my-interest"' in html and 'id="edit-interest-form"' not in html
    assert "can no longer be changed" in flashed(edit)[-1]


def test_the_university_sees_the_employers_answer(client_for, university, project):
    InterestFactory(
        university=university.university,
        proposal=project,
        response="not_a_fit",
        response_reason="本项目需要苏州本地高校。",
        responded_at=timezone.now(),
    )

    html = text(client_for(university).get(detail_url(project)))

    assert "Not a fit" in html and "本项目需要苏州本地高校。" in html


@pytest.mark.parametrize("action", ["interest-edit", "interest-withdraw"])
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("other_university", 404),
        ("other_employer", 404),
        ("employer", 403),
        ("anonymous", "login"),
    ],
)
def test_only_its_university_changes_an_interest(
    client_for, employer, project, action, persona, expected, request
):
    project.employer = employer.employer
    project.save()
    interest = InterestFactory(proposal=project, students_offered=2)

    response = client_for(request.getfixturevalue(persona)).post(
        interest_url(action, interest), {"students_offered": 1, "statement": "改"}
    )

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    interest.refresh_from_db()
    assert (interest.status, interest.students_offered) == ("live", 2)
