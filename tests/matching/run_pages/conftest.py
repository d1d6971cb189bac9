"""The matching pages' round (two universities, three projects of two employers), its run, a
bigger run for the page and query bounds, and pages asked for in English unless a test says
otherwise."""

from types import SimpleNamespace

import pytest

from accounts.models import University
from matching.models import MatchRun
from tests.factories import CallFactory, UniversityFactory
from tests.matching.conftest import set_profile

from .pages import BUAA, INTERNSHIP, LANGUAGE, ROBOTS, SEU, VISION, published, start_run


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def matching_round(employer, other_employer, university, other_university):
    """A call with two projects of `employer` and one of `other_employer`, and two universities:
    Southeast (Jiangsu, strong in vision) and Beihang (Beijing, language and robotics)."""
    call = CallFactory(name="2027 AI batch")
    projects = SimpleNamespace(
        vision=published(
            call=call, employer=employer.employer, title=VISION, areas={"cv": 1}, host_province="32"
        ),
        language=published(
            call=call, employer=employer.employer, title=LANGUAGE, areas={"nlp": 1}, host_province="11"
        ),
        robots=published(
            call=call,
            employer=other_employer.employer,
            title=ROBOTS,
            areas={"robotics": 1},
            host_province="44",
        ),
    )
    University.objects.filter(pk=university.university_id).update(name=SEU, province="32")
    University.objects.filter(pk=other_university.university_id).update(name=BUAA, province="11")
    set_profile(university.university, {"cv": 0.9, "ml": 0.5}, {INTERNSHIP: (40, 2)})
    set_profile(other_university.university, {"nlp": 0.8, "robotics": 0.7}, {INTERNSHIP: (40, 2)})
    return SimpleNamespace(call=call, projects=projects)


@pytest.fixture
def run(ministry, matching_round, django_capture_on_commit_callbacks) -> MatchRun:
    return start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)


@pytest.fixture
def big_run(ministry, django_capture_on_commit_callbacks):
    """24 projects and 12 universities: more than a page of groups, more candidates than shown."""
    call = CallFactory(name="Big batch")
    areas = ["cv", "nlp", "ml", "robotics"]
    for i in range(24):
        published(call=call, title=f"Project {i:02d}", areas={areas[i % 4]: 1}, host_province="32")
    for i in range(12):
        set_profile(
            UniversityFactory(name=f"University {i:02d}"), {areas[i % 4]: 0.5 + i / 30}, {INTERNSHIP: (40, 3)}
        )
    return start_run(ministry, call, django_capture_on_commit_callbacks, k=12, m=24)
