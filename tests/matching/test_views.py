"""The university's pages: "recommended for you" and the university dashboard. The persona
matrix, the explanation of each score, filters (good and bad) and query-count bounds."""

import re
from html import unescape

import pytest
from django.urls import reverse

from projects import services as project_services
from projects.search import document
from tests.factories import CallFactory, ProposalFactory
from tests.matching.conftest import set_profile

pytestmark = pytest.mark.django_db

RECOMMENDED = reverse("matching:recommended")
DASHBOARD = reverse("matching:university-dashboard")
LOGIN = reverse("accounts:login")
PAGES = [RECOMMENDED, DASHBOARD]
INTERNSHIP = "internship_base"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def cv_university(university):
    set_profile(
        university.university,
        {"cv": 0.9, "cv.medical_imaging": 0.6, "ml": 0.4},
        {INTERNSHIP: (10, 2), "directed_training": (30, 1)},
    )
    return university


def text(response) -> str:
    return unescape(response.content.decode())


def project_links(response) -> list[str]:
    """The titles of the projects a page lists, in order."""
    return [
        unescape(t)
        for t in re.findall(r'<a href="/projects/[0-9a-f-]{36}/">([^<]+)</a>', response.content.decode())
    ]


def published(**fields):
    return ProposalFactory(status="published", **fields)


def express(user, proposal, students=5):
    return project_services.interest_create(
        actor=user,
        proposal=proposal,
        fields={"students_offered": students, "statement": "我校计算机视觉团队可参与。"},
    )


# --- who may open the pages -------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_a_verified_university_opens_the_page(client_for, cv_university, url):
    assert client_for(cv_university).get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_university_not_yet_verified_is_told_so(client_for, pending_university, url):
    response = client_for(pending_university).get(url)
    assert response.status_code == 403
    body = text(response)
    assert "must be verified first" in body
    assert "Pending verification" in body
    assert f'href="{reverse("accounts:organisation-edit")}"' in body


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("persona", ["employer", "pending_employer", "ministry"])
def test_other_organisations_and_ministry_staff_are_refused(client_for, request, persona, url):
    response = client_for(request.getfixturevalue(persona)).get(url)
    assert response.status_code == 403
    assert "must be verified first" not in text(response)


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_log_in(client_for, anonymous, url):
    response = client_for(anonymous).get(url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"


# --- recommended for you ----------------------------------------------------------------------


def test_projects_are_listed_best_fit_first_with_why_they_fit(client_for, cv_university):
    published(title="Language", areas={"nlp": 1})
    published(title="Imaging", areas={"cv.medical_imaging": 3, "ml": 1}, host_province="33")
    published(title="Vision", areas={"cv": 1})
    response = client_for(cv_university).get(RECOMMENDED)
    assert response.status_code == 200
    assert project_links(response) == ["Vision", "Imaging", "Language"]
    body = text(response)
    assert "This is the score the matching engine uses" in body
    for label, weight in [
        ("Area fit", "0.60"),
        ("Capacity fit", "0.15"),
        ("Region", "0.15"),
        ("Expressed interest", "0.10"),
    ]:
        assert re.search(rf"<dt>{label} <span class=\"muted\">\(weight {weight}\)", body), label
    # Imaging: area 0.75 × 0.6 + 0.25 × 0.4 = 0.55; capacity 10 ÷ (40 ÷ 2) = 0.5; Zhejiang is in
    # Jiangsu's region: 0.5; total 0.33 + 0.075 + 0.075 = 0.48.
    imaging = body.split(">Imaging</a>")[1].split('class="recommendation"')[0]
    assert re.search(r"Score <strong class=\"fit-score\">0\.48</strong>", imaging)
    assert "0.55 × 0.60 = 0.33" in imaging
    assert "0.50 × 0.15 = 0.07" in imaging or "0.50 × 0.15 = 0.08" in imaging
    assert "0.00 × 0.10 = 0.00" in imaging
    assert "Contributing most: <strong>Medical imaging</strong>, <strong>Machine learning</strong>" in imaging
    assert "Employment internship base" in imaging
    assert "Zhejiang" in imaging


def test_the_catalogue_filters_are_offered_without_its_ordering(client_for, cv_university):
    CallFactory(name="2027 batch one", slug="ai-2027-one")
    body = text(client_for(cv_university).get(RECOMMENDED))
    for name in [
        "call",
        "type",
        "area",
        "province",
        "region",
        "student_places_min",
        "student_places_max",
        "employer_kind",
        "search",
    ]:
        assert f'name="{name}"' in body, name
    assert 'name="ordering"' not in body
    assert '<option value="ai-2027-one">2027 batch one</option>' in body
    assert re.search(r'<option value="cv.medical_imaging">\s*Medical imaging</option>', body)


def test_the_filters_narrow_the_ranking(client_for, cv_university):
    published(title="Vision in Beijing", areas={"cv": 1}, host_province="11")
    published(
        title="Vision in Jiangsu",
        areas={"cv": 1},
        host_province="32",
        search_document=document("Vision in Jiangsu 苏州工业视觉"),
    )
    published(title="Language in Beijing", areas={"nlp": 1}, host_province="11")
    client = client_for(cv_university)
    assert project_links(client.get(RECOMMENDED, {"province": "11"})) == [
        "Vision in Beijing",
        "Language in Beijing",
    ]
    assert project_links(client.get(RECOMMENDED, {"area": "nlp"})) == ["Language in Beijing"]
    assert project_links(client.get(RECOMMENDED, {"search": "视觉"})) == ["Vision in Jiangsu"]
    # The catalogue's ordering does not apply here: the score orders the page.
    assert project_links(client.get(RECOMMENDED, {"province": "11", "ordering": "places"})) == [
        "Vision in Beijing",
        "Language in Beijing",
    ]


def test_projects_of_a_type_without_capacity_are_not_listed(client_for, cv_university):
    published(title="Internship", areas={"cv": 1})
    published(title="Workforce", areas={"cv": 1}, project_type="workforce_development", trainees=10)
    assert project_links(client_for(cv_university).get(RECOMMENDED)) == ["Internship"]


def test_a_university_without_a_profile_is_told_to_fill_it_in(client_for, university):
    published(areas={"cv": 1})
    response = client_for(university).get(RECOMMENDED)
    assert response.status_code == 200
    assert project_links(response) == []
    assert "No published project fits your university yet" in text(response)


@pytest.mark.parametrize(
    "query",
    [
        {"student_places_min": "many"},
        {"student_places_max": "-3"},
        {"province": "99"},
        {"type": "consulting"},
        {"region": "atlantis"},
        {"employer_kind": "x"},
        {"search": "x" * 101},
        {"area": "quantum"},
        {"call": "no-such-call"},
    ],
)
def test_bad_filters_answer_400_with_the_error_and_no_results(client_for, cv_university, query):
    published(title="Vision", areas={"cv": 1})
    response = client_for(cv_university).get(RECOMMENDED, query)
    assert response.status_code == 400
    assert project_links(response) == []
    assert 'class="field-error"' in response.content.decode()
    assert "Some filters are not valid" in text(response)


def test_filters_that_match_nothing_say_so(client_for, cv_university):
    published(title="Vision", areas={"cv": 1}, host_province="32")
    response = client_for(cv_university).get(RECOMMENDED, {"province": "11", "area": "nlp"})
    assert response.status_code == 200
    assert project_links(response) == []
    assert "No recommended project matches these filters" in text(response)


def test_pages_keep_the_filters_and_a_page_past_the_end_shows_the_last(client_for, cv_university):
    for i in range(25):
        published(title=f"Vision {i:02d}", areas={"cv": 1 + i, "nlp": 25 - i}, host_province="11")
    published(title="Elsewhere", areas={"cv": 1}, host_province="44")
    client = client_for(cv_university)
    first = client.get(RECOMMENDED, {"province": "11"})
    assert len(project_links(first)) == 20
    assert "25 recommended projects" in text(first)
    assert 'href="?province=11&amp;page=2"' in first.content.decode()
    second = client.get(RECOMMENDED, {"province": "11", "page": "2"})
    assert len(project_links(second)) == 5
    assert set(project_links(first)).isdisjoint(project_links(second))
    assert project_links(client.get(RECOMMENDED, {"province": "11", "page": "99999"})) == project_links(
        second
    )
    assert project_links(client.get(RECOMMENDED, {"province": "11", "page": "x"})) == project_links(first)


def test_an_expressed_interest_shows_in_the_explanation(client_for, cv_university):
    project = published(title="Vision", areas={"cv": 1})
    client = client_for(cv_university)
    assert "0.00 × 0.10 = 0.00" in text(client.get(RECOMMENDED))
    express(cv_university, project)
    assert "1.00 × 0.10 = 0.10" in text(client.get(RECOMMENDED))


# --- the university dashboard -----------------------------------------------------------------


def test_the_dashboard_shows_interests_with_the_employers_answers(client_for, cv_university, employer):
    welcomed = published(title="Welcomed", employer=employer.employer)
    refused = published(title="Refused", employer=employer.employer)
    waiting = published(title="Waiting")
    project_services.interest_respond(
        actor=employer, interest=express(cv_university, welcomed, 3), response="welcome"
    )
    project_services.interest_respond(
        actor=employer,
        interest=express(cv_university, refused, 2),
        response="not_a_fit",
        reason="只接收华北地区高校。",
    )
    withdrawn = express(cv_university, waiting, 4)
    project_services.interest_withdraw(actor=cv_university, interest=withdrawn)
    body = text(client_for(cv_university).get(DASHBOARD))
    interests = body.split('id="interests"')[1].split("</table>")[0]
    assert "3 expressions of interest" in interests
    welcomed_row, refused_row, waiting_row = (
        interests.split(f">{t}</a>")[1].split("</tr>")[0] for t in ("Welcomed", "Refused", "Waiting")
    )
    assert "Welcome" in welcomed_row and ">3<" in welcomed_row and "Expressed" in welcomed_row
    assert "Not a fit" in refused_row and "只接收华北地区高校。" in refused_row
    assert "Withdrawn" in waiting_row and "No answer yet" in waiting_row


def test_the_dashboard_shows_the_capacity_left_per_type(client_for, cv_university):
    express(cv_university, published(), students=4)
    body = text(client_for(cv_university).get(DASHBOARD))
    capacity = body.split('id="capacity"')[1].split("</table>")[0]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', capacity, re.S))
    figures = {label: re.findall(r">(\d+)<", cells) for label, cells in rows.items()}
    assert figures == {
        "Directed talent training": ["30", "0", "30"],
        "Employment internship base": ["10", "4", "6"],
        "Workforce development": ["0", "0", "0"],
    }


def test_the_dashboard_shows_the_interest_allowance_left(client_for, cv_university):
    call = CallFactory(max_interests_per_university=3)
    express(cv_university, published(call=call))
    body = text(client_for(cv_university).get(DASHBOARD))
    allowance = body.split('id="allowance"')[1].split("</div>")[0]
    assert '<p class="figure">2</p>' in allowance
    assert "allows 3 per university" in allowance


def test_the_dashboard_says_no_limit_when_the_call_sets_none(client_for, cv_university):
    CallFactory(max_interests_per_university=None)
    allowance = text(client_for(cv_university).get(DASHBOARD)).split('id="allowance"')[1]
    assert '<p class="figure">No limit</p>' in allowance


def test_the_dashboard_shows_the_five_best_recommendations_and_the_links(client_for, cv_university):
    for i in range(7):
        published(title=f"Vision {i}", areas={"cv": 1 + i, "nlp": 7 - i})
    body = text(client_for(cv_university).get(DASHBOARD))
    top = body.split('id="top-recommended"')[1]
    assert re.findall(r'<a href="/projects/[0-9a-f-]{36}/">([^<]+)</a>', top) == [
        f"Vision {i}" for i in (6, 5, 4, 3, 2)
    ]
    assert top.count("Score <strong>") == 5
    assert "See all 7 recommended projects" in top
    for href in ["/projects/", "/projects/saved/", reverse("accounts:university-profile"), RECOMMENDED]:
        assert f'href="{href}"' in body, href


def test_the_dashboard_pages_its_interests(client_for, cv_university):
    set_profile(cv_university.university, {"cv": 1.0}, {INTERNSHIP: (100, 30)})
    for _ in range(23):
        express(cv_university, published(), students=1)
    client = client_for(cv_university)
    first = text(client.get(DASHBOARD)).split('id="interests"')[1].split("</table>")[0]
    assert "23 expressions of interest" in first
    assert first.count("<tr>") == 21  # the header and 20 rows
    second = text(client.get(DASHBOARD, {"page": "2"})).split('id="interests"')[1].split("</table>")[0]
    assert second.count("<tr>") == 4


# --- queries ----------------------------------------------------------------------------------


def populate(university_user, employer, n: int) -> None:
    for i in range(n):
        proposal = published(
            employer=employer.employer,
            areas={"cv": 1, "ml": 1, "nlp.speech": i % 3 + 1},
            host_province=["11", "32", "33"][i % 3],
        )
        if i < 4:
            interest = express(university_user, proposal, students=1)
            project_services.interest_respond(actor=employer, interest=interest, response="welcome")


# With the ranking not cached yet (adding projects changes the catalogue's state).
# The dashboard also counts unread notifications and lists introductions awaiting an answer.
MAX_QUERIES = {RECOMMENDED: 23, DASHBOARD: 28}


@pytest.mark.parametrize("url", PAGES)
def test_the_number_of_queries_does_not_grow_with_the_projects(
    client_for, cv_university, employer, django_assert_max_num_queries, url
):
    set_profile(cv_university.university, {"cv": 0.9, "ml": 0.5}, {INTERNSHIP: (200, 60)})
    client = client_for(cv_university)
    query = {"province": "11"} if url == RECOMMENDED else {}
    counts = []
    for n in (5, 40):
        populate(cv_university, employer, n)
        with django_assert_max_num_queries(MAX_QUERIES[url]) as captured:
            response = client.get(url, query)
        assert response.status_code == 200
        assert project_links(response)
        counts.append(len(captured))
    assert counts[0] == counts[1]
