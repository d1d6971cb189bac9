"""The catalogue of published projects: filters, search, ordering, pagination, bounded queries,
the cached rendering, the save-search form and the navigation."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Employer
from projects.models import Proposal
from tests.factories import CallFactory, EmployerFactory, ProposalFactory

from .helpers import CATALOGUE, SAVED, publish, text, titles

pytestmark = pytest.mark.django_db


# --- the catalogue ----------------------------------------------------------------------------


def test_anonymous_visitors_see_published_projects_only(client_for, anonymous):
    shown = publish(
        title="智能客服对话系统实习基地",
        employer=EmployerFactory(name="杭州语联科技"),
        areas={"nlp.dialogue": 1},
        host_province="33",
        student_places=30,
        partners_sought=3,
    )
    ProposalFactory(title="尚未提交的草稿")
    Proposal.objects.filter(pk=publish(title="已撤回的项目").pk).update(status="withdrawn")

    response = client_for(anonymous).get(CATALOGUE)

    assert response.status_code == 200
    assert titles(response) == [shown.title]
    row = text(response).split('class="project-title"')[1].split("</tr>")[0]
    for shown_value in (
        "杭州语联科技",
        "Employment internship base",
        "Question answering and dialogue",
        "Zhejiang",
        ">30<",
        ">3<",
    ):
        assert shown_value in row
    assert 'id="save-search"' not in text(response)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=directed_training", {"training"}),
        ("province=44", {"guangdong"}),
        ("region=south", {"guangdong"}),
        ("region=east", {"jiangsu", "training"}),
        ("student_places_min=50", {"guangdong", "training"}),
        ("student_places_max=50", {"jiangsu", "guangdong", "association"}),
        ("student_places_min=20&student_places_max=40", {"jiangsu"}),
        ("employer_kind=industry_association", {"association"}),
        ("area=nlp", {"association"}),
        ("area=cv.medical_imaging", {"guangdong"}),
        ("call=later", {"training"}),
        ("type=internship_base&province=32", {"jiangsu"}),
    ],
)
def test_filters_narrow_the_catalogue(client, query, expected):
    later = CallFactory(slug="later", closes_at=timezone.now() + timedelta(days=60))
    made = {
        "jiangsu": publish(host_province="32", student_places=40),
        "guangdong": publish(host_province="44", student_places=50, areas={"cv.medical_imaging": 1}),
        "training": publish(
            project_type="directed_training",
            host_province="33",
            student_places=80,
            call=later,
            training_hours=120,
        ),
        "association": publish(
            host_province="11",
            student_places=10,
            areas={"nlp.speech": 1},
            employer=EmployerFactory(kind=Employer.Kind.INDUSTRY_ASSOCIATION),
        ),
    }

    response = client.get(f"{CATALOGUE}?{query}")

    assert response.status_code == 200
    assert set(titles(response)) == {made[key].title for key in expected}


def test_a_parent_area_includes_its_sub_areas(client):
    parent = publish(areas={"cv": 1})
    child = publish(areas={"cv.industrial_inspection": 1})
    publish(areas={"robotics": 1})

    response = client.get(f"{CATALOGUE}?area=cv")

    assert set(titles(response)) == {parent.title, child.title}


def test_the_area_filter_is_a_select_with_sub_areas_indented(client):
    html = client.get(CATALOGUE).content.decode()

    select = re.search(r'<select name="area"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert '<option value="cv">Computer vision</option>' in select
    assert '<option value="cv.medical_imaging">\xa0\xa0\xa0\xa0Medical imaging</option>' in select
    assert (
        select.index('value="cv"')
        < select.index('value="cv.medical_imaging"')
        < select.index('value="robotics"')
    )


def test_a_chinese_word_is_found_inside_a_longer_title(client):
    found = publish(title="工业视觉质检就业实习基地")
    publish(title="智能语音客服实习基地", summary="语音识别", description="客服对话")

    response = client.get(CATALOGUE, {"search": "视觉"})

    assert titles(response) == [found.title]
    assert titles(client.get(CATALOGUE, {"search": "视觉 质检"})) == [found.title]
    assert titles(client.get(CATALOGUE, {"search": "区块链"})) == []


def test_search_finds_the_employer_name_and_combines_with_filters(client):
    found = publish(employer=EmployerFactory(name="深圳灵犀机器人有限公司"), host_province="44")
    publish(employer=EmployerFactory(name="深圳灵犀机器人研究院"), host_province="32", title="另一个项目")

    response = client.get(CATALOGUE, {"search": "灵犀", "province": "44"})

    assert titles(response) == [found.title]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", ["new", "middle", "old"]),
        ("newest", ["new", "middle", "old"]),
        ("places", ["middle", "old", "new"]),
        ("deadline", ["old", "new", "middle"]),
    ],
)
def test_ordering(client, ordering, expected):
    soon = CallFactory(closes_at=timezone.now() + timedelta(days=3))
    later = CallFactory(closes_at=timezone.now() + timedelta(days=90))
    made = {
        "new": publish(days_ago=1, student_places=10, call=later),
        "middle": publish(days_ago=5, student_places=90, call=later),
        "old": publish(days_ago=9, student_places=50, call=soon),
    }

    response = client.get(CATALOGUE, {"ordering": ordering} if ordering else {})

    assert titles(response) == [made[key].title for key in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("area=no-such-area", "area"),
        ("student_places_min=many", "student_places_min"),
        ("student_places_max=-3", "student_places_max"),
        ("province=99", "province"),
        ("type=lecture", "type"),
        ("ordering=random", "ordering"),
        ("call=no-such-call", "call"),
        (f"search={'视' * 101}", "search"),
    ],
)
def test_bad_filter_values_show_the_errors_and_no_project(client, query, field):
    publish()

    response = client.get(f"{CATALOGUE}?{query}")

    assert response.status_code == 400
    assert titles(response) == []
    assert 'id="filter-errors"' in text(response)
    errors = re.search(
        rf'<div class="[^"]*filter-{field} has-error">.*?<p class="field-error">',
        response.content.decode(),
        re.S,
    )
    assert errors is not None


@pytest.mark.parametrize(("page", "expected_page"), [("99999", 2), ("0", 2), ("abc", 1), ("2", 2)])
def test_any_page_number_shows_a_page(client, page, expected_page):
    for _ in range(23):
        publish()

    response = client.get(CATALOGUE, {"page": page})

    assert response.status_code == 200
    assert f"Page {expected_page} of 2" in text(response)
    assert len(titles(response)) == (20 if expected_page == 1 else 3)


def test_pagination_links_keep_the_filters(client):
    for _ in range(21):
        publish(host_province="32")
    publish(host_province="44")

    response = client.get(CATALOGUE, {"province": "32", "ordering": "places", "page": "1"})

    html = response.content.decode()
    assert 'href="?province=32&amp;ordering=places&amp;page=2"' in html
    second = client.get(f"{CATALOGUE}?province=32&ordering=places&page=2")
    assert len(titles(second)) == 1
    assert "selected>Jiangsu</option>" in text(second)


@pytest.mark.parametrize("persona", ["anonymous", "university"])
def test_the_catalogue_makes_as_many_queries_for_40_rows_as_for_5(
    client_for, django_assert_max_num_queries, monkeypatch, persona, request
):
    monkeypatch.setattr("projects.views.catalogue.PAGE_SIZE", 50)
    client = client_for(request.getfixturevalue(persona))
    query = {"area": "cv", "search": "视觉", "ordering": "places"}

    def count_queries() -> int:
        cache.clear()  # the rendered results are kept a minute; measure the work behind them
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CATALOGUE, query).status_code == 200
        return len(captured)

    for _ in range(5):
        publish(areas={"cv": 2, "ml.deep_learning": 1})
    with django_assert_max_num_queries(12):
        few_rows = client.get(CATALOGUE, query)
    few = count_queries()
    for _ in range(35):
        publish(areas={"cv.industrial_inspection": 2, "robotics": 1, "tools.coding": 1})
    cache.clear()
    with django_assert_max_num_queries(12):
        many_rows = client.get(CATALOGUE, query)

    assert len(titles(few_rows)) == 5 and len(titles(many_rows)) == 40
    assert count_queries() == few


def test_a_verified_university_may_save_the_search_and_see_recommendations(client_for, university):
    response = client_for(university).get(CATALOGUE, {"province": "32", "page": "2"})

    html = text(response)
    assert 'id="save-search"' in html and 'href="/recommended/"' in html
    assert '<input type="hidden" name="query" value="province=32"' in html


@pytest.mark.parametrize("persona", ["employer", "pending_university", "ministry"])
def test_others_get_no_save_search_form(client_for, persona, request):
    html = text(client_for(request.getfixturevalue(persona)).get(CATALOGUE))
    assert 'id="save-search"' not in html


def test_the_catalogue_escapes_what_employers_write(client):
    publish(title="<script>alert(1)</script>", summary="<b>粗体</b>")

    html = client.get(CATALOGUE).content.decode()

    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>粗体</b>" not in html


# --- navigation -------------------------------------------------------------------------------


def test_the_navigation_links_the_catalogue_and_the_universitys_pages(client_for, university, employer):
    anonymous_nav = text(client_for(None).get(CATALOGUE)).split("</nav>")[0]
    university_nav = text(client_for(university).get(CATALOGUE)).split("</nav>")[0]
    employer_nav = text(client_for(employer).get(CATALOGUE)).split("</nav>")[0]

    assert f'href="{CATALOGUE}"' in anonymous_nav and "/recommended/" not in anonymous_nav
    for link in ('href="/recommended/"', f'href="{SAVED}"', 'href="/university/"'):
        assert link in university_nav
    assert f'href="{reverse("matching:workbench")}"' in employer_nav and SAVED not in employer_nav


def test_the_catalogue_keeps_its_rendered_results_a_minute_per_language_and_filters(
    client, django_assert_max_num_queries
):
    publish(areas={"cv": 1})
    first = client.get(CATALOGUE, {"area": "cv"})
    publish(areas={"cv": 1})
    with django_assert_max_num_queries(2):  # the session and nothing else
        again = client.get(CATALOGUE, {"area": "cv"})
    assert len(titles(again)) == len(titles(first)) == 1
    assert len(titles(client.get(CATALOGUE, {"area": "cv", "ordering": "newest"}))) == 2
    chinese = client.get(CATALOGUE, {"area": "cv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert len(titles(chinese)) == 2 and "Published projects" not in chinese.content.decode()
