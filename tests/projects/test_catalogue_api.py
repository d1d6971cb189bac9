"""The public catalogue API: published projects only, for anyone, with the page's filters as
query parameters; bad filter values are a 400 or an empty page, never a 500; a constant number of
queries per page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Employer
from matching.brokering.introductions import project_refresh
from projects.models import Interest, Proposal
from projects.services.proposals import search_document
from tests.factories import (
    CallFactory,
    EmployerFactory,
    InterestFactory,
    IntroductionFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"
ROW_FIELDS = {
    "id",
    "call",
    "employer",
    "project_type",
    "title",
    "summary",
    "description",
    "areas",
    "student_places",
    "partners_sought",
    "host_province",
    "host_city",
    "duration_months",
    "funding_cny",
    "in_kind_support",
    "training_hours",
    "internship_places_per_year",
    "trainees",
    "published_at",
}
DETAIL_FIELDS = ROW_FIELDS | {"interests", "places_left", "contact_person", "contact_phone", "contact_email"}


def published(days_ago: int = 0, **kwargs) -> Proposal:
    proposal = ProposalFactory(
        status="published", decided_at=timezone.now() - timedelta(days=days_ago), **kwargs
    )
    proposal.search_document = search_document(proposal)
    proposal.save(update_fields=["search_document"])
    return proposal


def detail(proposal) -> str:
    return f"{LIST}{proposal.public_id}/"


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


@pytest.fixture
def project(employer):
    return published(employer=employer.employer, title="工业视觉质检就业实习基地", partners_sought=3)


@pytest.fixture
def hidden(employer):
    """The employer's proposals in every status but published."""
    return [
        ProposalFactory(employer=employer.employer, status=status, title=f"未发布 {status}")
        for status in ("draft", "submitted", "returned", "rejected", "withdrawn")
    ]


# Who sees what


@pytest.mark.parametrize(
    "persona", ["anonymous", "university", "employer", "other_employer", "ministry", "pending_employer"]
)
def test_everyone_lists_the_published_projects_only(request, api_for, project, hidden, persona):
    response = api_for(request.getfixturevalue(persona)).get(LIST)
    assert titles(response) == ["工业视觉质检就业实习基地"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize("persona", ["anonymous", "university", "employer", "other_employer", "ministry"])
def test_everyone_opens_a_published_project(request, api_for, project, persona):
    response = api_for(request.getfixturevalue(persona)).get(detail(project))
    assert response.status_code == 200
    assert set(response.json()) == DETAIL_FIELDS


@pytest.mark.parametrize("persona", ["anonymous", "university", "employer", "ministry"])
def test_an_unpublished_proposal_is_not_in_the_catalogue_even_for_its_employer(
    request, api_for, hidden, persona
):
    api = api_for(request.getfixturevalue(persona))
    for proposal in hidden:
        assert api.get(detail(proposal)).status_code == 404


@pytest.mark.parametrize("path", [f"{LIST}00000000-0000-0000-0000-000000000000/", f"{LIST}not-a-uuid/"])
def test_an_unknown_project_is_a_404(api_for, path):
    assert api_for(None).get(path).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "employer", "ministry"])
def test_the_catalogue_is_read_only(request, api_for, project, persona):
    api = api_for(request.getfixturevalue(persona))
    assert api.post(LIST, {"title": "x"}, format="json").status_code == 405
    assert api.patch(detail(project), {"title": "x"}, format="json").status_code == 405
    assert api.delete(detail(project)).status_code == 405


# What a project shows


def test_a_row_shows_what_the_catalogue_shows(api_for, employer):
    proposal = published(employer=employer.employer, areas={"cv": 3, "cv.industrial_inspection": 1})
    [row] = api_for(None).get(LIST).json()["results"]
    assert set(row) == ROW_FIELDS
    assert row["id"] == str(proposal.public_id)
    assert row["call"] == proposal.call.slug
    assert row["employer"] == {
        "id": str(employer.employer.public_id),
        "name": employer.employer.name,
        "kind": "enterprise",
    }
    assert row["areas"] == {"cv": 0.75, "cv.industrial_inspection": 0.25}
    assert row["published_at"] is not None
    assert (row["student_places"], row["host_province"], row["internship_places_per_year"]) == (40, "32", 20)


def test_the_detail_counts_interests_and_partner_places_left(api_for, university, project):
    InterestFactory(proposal=project, response="welcome")
    InterestFactory(proposal=project)
    InterestFactory(proposal=project, status=Interest.Status.WITHDRAWN, response="welcome")
    project_refresh(IntroductionFactory(proposal=project, status="signed").proposal)
    IntroductionFactory(proposal=project, status="declined")
    body = api_for(university).get(detail(project)).json()
    assert (body["interests"], body["places_left"]) == (2, project.partners_sought - 1)


def test_contact_details_are_for_verified_universities_not_anonymous_visitors(api_for, university, project):
    anonymous = api_for(None).get(detail(project)).json()
    assert (anonymous["contact_person"], anonymous["contact_phone"], anonymous["contact_email"]) == (
        None,
        None,
        None,
    )
    signed_in = api_for(university).get(detail(project)).json()
    assert (signed_in["contact_person"], signed_in["contact_phone"]) == ("王伟", "13800138000")
    assert "contact_person" not in api_for(university).get(LIST).json()["results"][0]


# Filters


@pytest.fixture
def catalogue():
    spring = CallFactory(slug="spring", closes_at=timezone.now() + timedelta(days=10))
    autumn = CallFactory(slug="autumn", closes_at=timezone.now() + timedelta(days=90))
    association = EmployerFactory(kind=Employer.Kind.INDUSTRY_ASSOCIATION, name="中国人工智能产业协会")
    published(title="A 视觉", call=spring, days_ago=3, student_places=40, host_province="32", areas={"cv": 1})
    published(
        title="B 医学影像",
        call=autumn,
        days_ago=1,
        student_places=10,
        host_province="51",
        project_type="directed_training",
        areas={"cv.medical_imaging": 1},
    )
    published(
        title="C 大模型",
        call=spring,
        days_ago=2,
        student_places=80,
        host_province="31",
        employer=association,
        areas={"ml.large_models": 2, "nlp": 1},
    )
    published(
        title="D 机器人",
        call=autumn,
        days_ago=4,
        student_places=25,
        host_province="44",
        project_type="workforce_development",
        areas={"robotics": 1},
    )


def test_by_default_the_newest_come_first(api_for, catalogue):
    assert titles(api_for(None).get(LIST)) == ["B 医学影像", "C 大模型", "A 视觉", "D 机器人"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"area": "cv"}, ["B 医学影像", "A 视觉"]),  # a parent area includes its sub-areas
        ({"area": "cv.medical_imaging"}, ["B 医学影像"]),
        ({"area": "ml"}, ["C 大模型"]),
        ({"area": "nlp"}, ["C 大模型"]),
        ({"province": "32"}, ["A 视觉"]),
        ({"region": "east"}, ["C 大模型", "A 视觉"]),
        ({"region": "southwest"}, ["B 医学影像"]),
        ({"student_places_min": "25"}, ["C 大模型", "A 视觉", "D 机器人"]),
        ({"student_places_max": "25"}, ["B 医学影像", "D 机器人"]),
        ({"student_places_min": "20", "student_places_max": "50"}, ["A 视觉", "D 机器人"]),
        ({"employer_kind": "industry_association"}, ["C 大模型"]),
        ({"employer_kind": "enterprise"}, ["B 医学影像", "A 视觉", "D 机器人"]),
        ({"call": "spring"}, ["C 大模型", "A 视觉"]),
        ({"call": "no-such-call"}, []),
        ({"type": "directed_training"}, ["B 医学影像"]),
        ({"type": "internship_base"}, ["C 大模型", "A 视觉"]),
        ({"search": "医学影像"}, ["B 医学影像"]),
        ({"search": "机器人 B"}, []),
        ({"search": "人工智能产业协会"}, ["C 大模型"]),
        ({"search": "区块链"}, []),
        ({"ordering": "newest"}, ["B 医学影像", "C 大模型", "A 视觉", "D 机器人"]),
        ({"ordering": "places"}, ["C 大模型", "A 视觉", "D 机器人", "B 医学影像"]),
        ({"ordering": "deadline"}, ["C 大模型", "A 视觉", "B 医学影像", "D 机器人"]),
        ({"call": "spring", "ordering": "places", "region": "east", "area": "cv"}, ["A 视觉"]),
    ],
)
def test_filters_as_query_parameters(api_for, catalogue, query, expected):
    assert titles(api_for(None).get(LIST, query)) == expected


def test_filters_combine_with_pagination(api_for, employer):
    for i in range(30):
        published(employer=employer.employer, title=f"项目 {i:02d}", days_ago=i, host_province="32")
    published(employer=employer.employer, title="别省", host_province="51")
    first = api_for(None).get(LIST, {"province": "32"}).json()
    assert first["count"] == 30 and len(first["results"]) == 25
    assert "province=32" in first["next"] and "page=2" in first["next"]
    second = api_for(None).get(first["next"]).json()
    assert [row["title"] for row in second["results"]] == [f"项目 {i:02d}" for i in range(25, 30)]


# Bad filter values


@pytest.mark.parametrize("query", [{"area": "no_such_area"}, {"area": ""}, {"search": "   "}])
def test_an_unknown_area_or_empty_search_is_not_an_error(api_for, catalogue, query):
    response = api_for(None).get(LIST, query)
    assert response.status_code == 200


def test_an_unknown_area_is_an_empty_page(api_for, catalogue):
    assert titles(api_for(None).get(LIST, {"area": "no_such_area"})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"student_places_min": "many"}, "student_places_min"),
        ({"student_places_max": "1e999"}, "student_places_max"),
        ({"student_places_min": "-3"}, "student_places_min"),
        ({"type": "bogus"}, "type"),
        ({"province": "99"}, "province"),
        ({"region": "mars"}, "region"),
        ({"employer_kind": "bank"}, "employer_kind"),
        ({"ordering": "-title"}, "ordering"),
        ({"search": "视" * 101}, "search"),
        ({"page": "99999"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
    ],
)
def test_bad_filter_values_are_a_400_naming_the_parameter(api_for, catalogue, query, field):
    response = api_for(None).get(LIST, query)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_the_last_page_is_not_an_error(api_for, catalogue):
    assert api_for(None).get(LIST, {"page": "1"}).status_code == 200
    assert api_for(None).get(LIST, {"page": "last"}).status_code == 200


# Queries per request


QUERIES = {
    "area": "cv",
    "province": "32",
    "student_places_min": "1",
    "search": "视觉",
    "ordering": "places",
    "employer_kind": "enterprise",
    "region": "east",
}


@pytest.mark.parametrize("query", [{}, QUERIES])
@pytest.mark.parametrize("persona", ["anonymous", "university"])
def test_a_page_takes_the_same_few_queries_for_5_or_40_projects(
    request, api_for, employer, django_assert_max_num_queries, query, persona
):
    api = api_for(request.getfixturevalue(persona))
    call = CallFactory()
    counts = []
    for size in (5, 40):
        while Proposal.objects.count() < size:
            published(employer=employer.employer, call=call, areas={"cv": 2, "cv.medical_imaging": 1})
        with django_assert_max_num_queries(6) as captured:
            response = api.get(LIST, query)
        assert response.status_code == 200 and response.json()["count"] == size
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_the_detail_takes_a_constant_few_queries(api_for, university, project, django_assert_max_num_queries):
    for _ in range(5):
        InterestFactory(proposal=project)
    with django_assert_max_num_queries(5):
        assert api_for(None).get(detail(project)).status_code == 200
    # The university's view is recorded: a savepoint and its release, the lock on the
    # university, the day's count, the record's content type and the record.
    with django_assert_max_num_queries(5 + 6):
        assert api_for(university).get(detail(project)).status_code == 200
