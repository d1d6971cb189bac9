"""A call's dated phases: their defaults and order, interest refused outside the interest phase
on every channel (service, page, API), and the catalogue and recommendations showing the rounds
taking interest unless asked for all."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import FocusArea, UniversityCapacity, UniversityStrength
from projects import services
from projects.models import Call, Interest
from tests.factories import CallFactory, InterestFactory, ProposalFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
STATEMENT = "我校人工智能学院有 120 名计算机视觉方向的学生。"


def past_call(**dates) -> Call:
    """A call whose deadline passed 40 days ago: by default past its interest phase too."""
    return CallFactory(opens_at=NOW - timedelta(days=100), closes_at=NOW - timedelta(days=40), **dates)


def project_in(call: Call, **fields):
    return ProposalFactory(call=call, status="published", decided_at=call.opens_at, **fields)


@pytest.fixture
def places(university):
    UniversityCapacity.objects.create(
        university=university.university, project_type="internship_base", places=10, projects=5
    )


def offer(user, proposal):
    return services.interest_create(
        actor=user, proposal=proposal, fields={"students_offered": 2, "statement": STATEMENT}
    )


def test_blank_phase_dates_follow_the_deadline_and_move_with_it():
    call = CallFactory(closes_at=NOW + timedelta(days=10))
    assert call.phase_dates() == {
        "closes_at": NOW + timedelta(days=10),
        "interest_closes_at": NOW + timedelta(days=40),
        "brokering_closes_at": NOW + timedelta(days=100),
        "ends_at": NOW + timedelta(days=465),
    }
    call.closes_at += timedelta(days=5)
    assert call.phase_dates()["interest_closes_at"] == NOW + timedelta(days=45)


@pytest.mark.parametrize(
    ("days_after_opening", "phase"),
    [
        *[(-1, "upcoming"), (0, "open"), (10, "open"), (11, "interest"), (40, "interest")],
        *[(41, "brokering"), (100, "brokering"), (101, "implementation"), (465, "implementation")],
        (466, "closed"),
    ],
)
def test_each_phase_runs_to_its_end_inclusive(days_after_opening, phase):
    opens = NOW - timedelta(days=1)
    call = CallFactory(opens_at=opens, closes_at=opens + timedelta(days=10))
    assert call.phase_at(opens + timedelta(days=days_after_opening)) == phase


def test_phase_dates_out_of_order_are_a_field_error_and_nothing_changes(ministry):
    call = CallFactory(closes_at=NOW + timedelta(days=10))
    with pytest.raises(ValidationError) as refused:
        services.call_update(
            actor=ministry, call=call, fields={"brokering_closes_at": NOW + timedelta(days=20)}
        )
    assert refused.value.message_dict == {
        "brokering_closes_at": ["This must not be before the interest deadline."]
    }
    call.refresh_from_db()
    assert call.brokering_closes_at is None


def test_the_database_refuses_a_phase_that_ends_before_the_one_before():
    call = CallFactory(closes_at=NOW + timedelta(days=10))
    call.interest_closes_at = NOW + timedelta(days=5)
    with pytest.raises(IntegrityError, match="call_phases_in_order"), transaction.atomic():
        call.save()


def test_interest_is_taken_while_proposals_are_still_collected(university, places):
    project = project_in(CallFactory())
    assert offer(university, project).status == Interest.Status.LIVE


def test_interest_after_the_interest_phase_is_refused_and_writes_nothing(university, places):
    project = project_in(past_call())
    with pytest.raises(ValidationError, match="is not taking any now"):
        offer(university, project)
    assert not Interest.objects.exists()


def test_an_interest_is_not_changed_after_the_interest_phase(university, places):
    call = CallFactory()
    interest = InterestFactory(
        proposal=project_in(call), university=university.university, students_offered=2
    )
    Call.objects.filter(pk=call.pk).update(
        opens_at=NOW - timedelta(days=100), closes_at=NOW - timedelta(days=40)
    )
    with pytest.raises(ValidationError, match="is not taking any now"):
        services.interest_update(actor=university, interest=interest, fields={"students_offered": 3})
    interest.refresh_from_db()
    assert interest.students_offered == 2


def test_a_later_interest_deadline_keeps_the_round_taking_interest(university, places):
    project = project_in(past_call(interest_closes_at=NOW + timedelta(days=1)))
    assert offer(university, project).status == Interest.Status.LIVE


def test_the_page_refuses_interest_in_a_closed_round_with_the_reason(client_for, university, places):
    project = project_in(past_call())
    response = client_for(university).post(
        f"/projects/{project.public_id}/interest/",
        {"students_offered": 2, "statement": STATEMENT},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.redirect_chain == [(f"/projects/{project.public_id}/", 302)]
    assert "is not taking any now" in response.content.decode()
    assert not Interest.objects.exists()


def test_the_api_refuses_interest_in_a_closed_round_with_the_reason(api_for, university, places):
    project = project_in(past_call())
    response = api_for(university).post(
        "/api/v1/interests/",
        {"project": str(project.public_id), "students_offered": 2, "statement": STATEMENT},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "is not taking any now" in str(response.json())
    assert not Interest.objects.exists()


def test_a_closed_rounds_project_page_has_a_banner_and_no_interest_form(client_for, university, places):
    project = project_in(past_call())
    page = client_for(university).get(f"/projects/{project.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="round-closed"' in html and "is not taking interest now" in html
    assert 'id="interest-form"' not in html


def test_an_open_rounds_project_page_has_the_form_and_no_banner(client_for, university, places):
    html = client_for(university).get(f"/projects/{project_in(CallFactory()).public_id}/").content.decode()
    assert 'id="interest-form"' in html and 'id="round-closed"' not in html


def catalogue_titles(client, query: str = "") -> set[str]:
    response = client.get(f"/api/v1/projects/{query}")
    assert response.status_code == 200
    return {row["title"] for row in response.json()["results"]}


def test_the_catalogue_defaults_to_rounds_taking_interest_and_shows_all_when_asked(client):
    closed = past_call()
    project_in(closed, title="去年的项目")
    project_in(CallFactory(), title="今年的项目")
    assert catalogue_titles(client) == {"今年的项目"}
    assert catalogue_titles(client, "?call=all") == {"去年的项目", "今年的项目"}
    assert catalogue_titles(client, f"?call={closed.slug}") == {"去年的项目"}
    page = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "今年的项目" in page and "去年的项目" not in page and "Rounds taking interest" in page


def test_one_project_of_a_closed_round_is_still_found_by_its_id(client):
    project = project_in(past_call())
    assert client.get(f"/api/v1/projects/{project.public_id}/").status_code == 200


def test_catalogue_rows_show_the_rounds_phase_and_its_end(client):
    call = CallFactory(closes_at=NOW + timedelta(days=3))
    project_in(call)
    html = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "badge-call-open" in html and "Collecting proposals" in html
    ends = timezone.localtime(call.closes_at).strftime("%-d %B %Y")  # the phase's end, in English
    assert f'<span class="muted phase-deadline">until {ends}</span>' in html


def test_recommendations_leave_out_a_round_no_longer_taking_interest(client_for, university, places):
    area = FocusArea.objects.get(code="cv")
    UniversityStrength.objects.create(university=university.university, area=area, weight=1)
    for call, title in ((past_call(), "去年的视觉项目"), (CallFactory(), "今年的视觉项目")):
        project = project_in(call, title=title, project_type="internship_base")
        project.area_weights.update_or_create(area=area, defaults={"weight": 1})
    html = client_for(university).get("/recommended/").content.decode()
    assert "今年的视觉项目" in html and "去年的视觉项目" not in html


def test_the_favicon_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("img/favicon.svg")
