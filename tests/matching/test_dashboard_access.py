"""The dashboard and the statistics, who may see what (the persona matrix), bad input and
empty rounds explained rather than failing, and the query bound of the pages and the APIs."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matching.dashboard import figures
from matching.models import Candidate, MatchRun
from projects.models import Call
from tests.factories import (
    EmployerUserFactory,
    InterestFactory,
    IntroductionFactory,
    ProposalFactory,
    UniversityFactory,
    UniversityUserFactory,
)
from tests.matching.conftest import set_profile

from .dashboard_round import (  # noqa: F401
    API_DASHBOARD,
    API_PUBLIC,
    DASHBOARD,
    DASHBOARD_QUERIES,
    LOGIN,
    PUBLIC,
    _english_pages_fixture,
    world_fixture,
)

pytestmark = pytest.mark.django_db


# --- who may see what ---------------------------------------------------------------------------

PERSONAS = ["anonymous", "employer", "university", "ministry"]


@pytest.mark.parametrize(
    "persona, expected", [("anonymous", 302), ("employer", 403), ("university", 403), ("ministry", 200)]
)
def test_only_ministry_staff_see_the_dashboard(world, client_for, request, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get(DASHBOARD)
    assert response.status_code == expected
    if persona == "anonymous":
        assert response.url.startswith(LOGIN)


@pytest.mark.parametrize("persona", PERSONAS)
def test_anyone_sees_the_public_statistics(world, client_for, api_for, request, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(PUBLIC).status_code == 200
    assert api_for(user).get(API_PUBLIC).status_code == 200


@pytest.mark.parametrize(
    "persona, expected", [("anonymous", 401), ("employer", 403), ("university", 403), ("ministry", 200)]
)
def test_only_ministry_staff_get_the_dashboard_figures(world, api_for, request, persona, expected):
    response = api_for(request.getfixturevalue(persona)).get(API_DASHBOARD)
    assert response.status_code == expected
    if expected != 200:
        assert "funnel" not in response.json()


def test_a_pending_or_rejected_organisation_is_refused_too(world, client_for, api_for):
    for user in (
        EmployerUserFactory(employer__status="pending"),
        UniversityUserFactory(university__status="rejected"),
    ):
        assert client_for(user).get(DASHBOARD).status_code == 403
        assert api_for(user).get(API_DASHBOARD).status_code == 403


# --- bad input and empty rounds -----------------------------------------------------------------


def test_an_unknown_call_is_explained_not_a_server_error(world, client_for, api_for, ministry):
    page = client_for(ministry).get(DASHBOARD, {"call": "no-such-round"})
    assert page.status_code == 400
    assert 'id="unknown-call"' in page.content.decode() and "no-such-round" in page.content.decode()
    assert 'name="call"' in page.content.decode()
    hostile = client_for(ministry).get(DASHBOARD, {"call": "<script>alert(1)</script>"})
    assert hostile.status_code == 400
    assert b"<script>alert(1)" not in hostile.content
    response = api_for(ministry).get(API_DASHBOARD, {"call": "no-such-round"})
    assert response.status_code == 400
    assert list(response.json()) == ["call"] and "no-such-round" in response.json()["call"][0]


def test_without_any_call_the_pages_say_so(db, client_for, api_for, ministry):
    page = client_for(ministry).get(DASHBOARD)
    assert page.status_code == 200
    assert 'id="no-call"' in page.content.decode()
    assert api_for(ministry).get(API_DASHBOARD).status_code == 404
    assert client_for(None).get(PUBLIC).status_code == 200
    body = api_for(None).get(API_PUBLIC).json()
    assert (body["projects"], body["students_benefited"], body["by_province"]) == (0, 0, [])


def test_a_page_past_the_end_shows_the_last_page(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD, {"call": "ai-2027-a", "page": "99"})
    assert page.status_code == 200
    assert page.context["page"].number == 1


# --- query bound --------------------------------------------------------------------------------


def grow(world, n: int) -> None:
    """n more published projects in call A, each with an interest and introductions in several
    statuses, 2n more verified universities with profiles, and a newer run."""
    call = world.calls["A"]
    run = MatchRun.objects.create(call=call, status="succeeded", weights={}, finished_at=timezone.now())
    for i in range(n):
        project = ProposalFactory(
            call=call,
            status="published",
            submitted_at=timezone.now(),
            host_province=["11", "31", "42"][i % 3],
            areas={"nlp.speech": 1, "robotics": 2},
        )
        a, b = (
            set_profile(
                UniversityFactory(province="33"),
                {"nlp": 0.3, "ml.federated": 0.9},
                {"internship_base": (5, 1)},
            )
            for _ in range(2)
        )
        InterestFactory(proposal=project, university=a)
        IntroductionFactory(
            proposal=project,
            university=a,
            status=["sent", "accepted", "declined"][i % 3],
            employer_responded_at=timezone.now(),
        )
        Candidate.objects.create(
            run=run,
            proposal=project,
            university=b,
            score=0.3,
            area_fit=0,
            capacity_fit=0,
            region=0,
            interest=0,
            rank=1,
            proposed=True,
        )


def dashboard_queries(client, django_assert_max_num_queries) -> int:
    cache.clear()  # the figures are kept two minutes: measure their computation
    with django_assert_max_num_queries(DASHBOARD_QUERIES) as queries:
        response = client.get(DASHBOARD, {"call": "ai-2027-a"})
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_dashboard_runs_a_fixed_number_of_queries(
    world, client_for, ministry, django_assert_max_num_queries
):
    client = client_for(ministry)
    small = dashboard_queries(client, django_assert_max_num_queries)
    grow(world, 60)
    assert figures.universities_without_introduction(world.calls["A"]).count > 50  # two pages
    assert dashboard_queries(client, django_assert_max_num_queries) == small
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get(DASHBOARD, {"call": "ai-2027-a", "page": "2"}).status_code == 200


def test_the_dashboard_keeps_its_figures_two_minutes_and_says_since_when(
    world, client_for, ministry, django_assert_max_num_queries
):
    client = client_for(ministry)
    computed = dashboard_queries(client, django_assert_max_num_queries)
    with CaptureQueriesContext(connection) as kept:
        response = client.get(DASHBOARD, {"call": "ai-2027-a"})
    assert len(kept.captured_queries) < computed - 5
    assert 'id="figures-as-of"' in response.content.decode()
    ProposalFactory(call=world.calls["A"], status="published", decided_at=timezone.now())
    assert (
        response.context["data"].funnel == client.get(DASHBOARD, {"call": "ai-2027-a"}).context["data"].funnel
    )
    cache.clear()  # as when the two minutes are over
    later = client.get(DASHBOARD, {"call": "ai-2027-a"}).context["data"].funnel
    assert later != response.context["data"].funnel


def test_the_apis_run_a_fixed_number_of_queries(world, api_for, ministry):
    api = api_for(ministry)

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert api.get(API_DASHBOARD, {"call": "ai-2027-a"}).status_code == 200
        return len(queries.captured_queries)

    small = count()
    grow(world, 20)
    assert count() == small


def test_every_call_is_offered_in_the_filter(world, client_for, ministry):
    html = client_for(ministry).get(DASHBOARD).content.decode()
    assert all(f'<option value="{call.slug}"' in html for call in Call.objects.all())
