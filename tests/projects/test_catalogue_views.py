"""The catalogue of published projects, a project's page, expressions of interest through the
pages, the employer's interests page and saved searches: the happy path, bad input (shown,
nothing written) and the persona matrix (200 / 403 / 404 / login)."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Employer, FocusArea, UniversityCapacity, UniversityStrength
from matching.brokering.introductions import project_refresh
from projects import search
from projects.models import Interest, Proposal, SavedSearch
from tests.factories import (
    CallFactory,
    EmployerFactory,
    InterestFactory,
    IntroductionFactory,
    ProposalFactory,
    UniversityUserFactory,
)
from tests.pages import field_errors, flashed

pytestmark = pytest.mark.django_db

CATALOGUE = reverse("projects:catalogue")
SAVED = reverse("projects:saved-searches")
LOGIN = reverse("accounts:login")


# --- helpers ----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def publish(days_ago: int = 1, **kwargs):
    """A published project whose search document is built as approval builds it."""
    proposal = ProposalFactory(status="published",
                               decided_at=timezone.now() - timedelta(days=days_ago), **kwargs)
    proposal.search_document = search.document(proposal.title, proposal.summary,
                                               proposal.description, proposal.employer.name)
    proposal.save(update_fields=["search_document"])
    return proposal


def give_capacity(user, places: int, project_type: str = "internship_base") -> None:
    UniversityCapacity.objects.create(university=user.university, project_type=project_type,
                                      places=places, projects=5)


def text(response) -> str:
    return unescape(response.content.decode())


def titles(response) -> list[str]:
    return [unescape(t) for t in re.findall(r'class="project-title"[^>]*>([^<]*)</a>',
                                            response.content.decode())]






def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(f"{LOGIN}?next=")


def detail_url(proposal) -> str:
    return reverse("projects:project-detail", args=[proposal.public_id])


def interest_url(name: str, interest) -> str:
    return reverse(f"projects:{name}", args=[interest.public_id])


@pytest.fixture
def project():
    return publish(title="工业视觉质检就业实习基地", partners_sought=2)


@pytest.fixture
def pending_university(db):
    return UniversityUserFactory(username="pending_university", university__status="pending")


# --- the catalogue ----------------------------------------------------------------------------

def test_anonymous_visitors_see_published_projects_only(client_for, anonymous):
    shown = publish(title="智能客服对话系统实习基地", employer=EmployerFactory(name="杭州语联科技"),
                    areas={"nlp.dialogue": 1}, host_province="33", student_places=30, partners_sought=3)
    ProposalFactory(title="尚未提交的草稿")
    Proposal.objects.filter(pk=publish(title="已撤回的项目").pk).update(status="withdrawn")

    response = client_for(anonymous).get(CATALOGUE)

    assert response.status_code == 200
    assert titles(response) == [shown.title]
    row = text(response).split('class="project-title"')[1].split("</tr>")[0]
    for shown_value in ("杭州语联科技", "Employment internship base", "Question answering and dialogue",
                        "Zhejiang", ">30<", ">3<"):
        assert shown_value in row
    assert 'id="save-search"' not in text(response)


@pytest.mark.parametrize(("query", "expected"), [
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
])
def test_filters_narrow_the_catalogue(client, query, expected):
    later = CallFactory(slug="later", closes_at=timezone.now() + timedelta(days=60))
    made = {
        "jiangsu": publish(host_province="32", student_places=40),
        "guangdong": publish(host_province="44", student_places=50, areas={"cv.medical_imaging": 1}),
        "training": publish(project_type="directed_training", host_province="33", student_places=80,
                            call=later, training_hours=120),
        "association": publish(host_province="11", student_places=10, areas={"nlp.speech": 1},
                               employer=EmployerFactory(kind=Employer.Kind.INDUSTRY_ASSOCIATION)),
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
    assert select.index('value="cv"') < select.index('value="cv.medical_imaging"') < select.index(
        'value="robotics"')


def test_a_chinese_word_is_found_inside_a_longer_title(client):
    found = publish(title="工业视觉质检就业实习基地")
    publish(title="智能语音客服实习基地", summary="语音识别", description="客服对话")

    response = client.get(CATALOGUE, {"search": "视觉"})

    assert titles(response) == [found.title]
    assert titles(client.get(CATALOGUE, {"search": "视觉 质检"})) == [found.title]
    assert titles(client.get(CATALOGUE, {"search": "区块链"})) == []


def test_search_finds_the_employer_name_and_combines_with_filters(client):
    found = publish(employer=EmployerFactory(name="深圳灵犀机器人有限公司"), host_province="44")
    publish(employer=EmployerFactory(name="深圳灵犀机器人研究院"), host_province="32",
            title="另一个项目")

    response = client.get(CATALOGUE, {"search": "灵犀", "province": "44"})

    assert titles(response) == [found.title]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("", ["new", "middle", "old"]),
    ("newest", ["new", "middle", "old"]),
    ("places", ["middle", "old", "new"]),
    ("deadline", ["old", "new", "middle"]),
])
def test_ordering(client, ordering, expected):
    soon = CallFactory(closes_at=timezone.now() + timedelta(days=3))
    later = CallFactory(closes_at=timezone.now() + timedelta(days=90))
    made = {"new": publish(days_ago=1, student_places=10, call=later),
            "middle": publish(days_ago=5, student_places=90, call=later),
            "old": publish(days_ago=9, student_places=50, call=soon)}

    response = client.get(CATALOGUE, {"ordering": ordering} if ordering else {})

    assert titles(response) == [made[key].title for key in expected]


@pytest.mark.parametrize(("query", "field"), [
    ("area=no-such-area", "area"),
    ("student_places_min=many", "student_places_min"),
    ("student_places_max=-3", "student_places_max"),
    ("province=99", "province"),
    ("type=lecture", "type"),
    ("ordering=random", "ordering"),
    ("call=no-such-call", "call"),
    (f"search={'视' * 101}", "search"),
])
def test_bad_filter_values_show_the_errors_and_no_project(client, query, field):
    publish()

    response = client.get(f"{CATALOGUE}?{query}")

    assert response.status_code == 400
    assert titles(response) == []
    assert 'id="filter-errors"' in text(response)
    errors = re.search(rf'<div class="[^"]*filter-{field} has-error">.*?<p class="field-error">',
                       response.content.decode(), re.S)
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
    assert 'selected>Jiangsu</option>' in text(second)


@pytest.mark.parametrize("persona", ["anonymous", "university"])
def test_the_catalogue_makes_as_many_queries_for_40_rows_as_for_5(
        client_for, django_assert_max_num_queries, monkeypatch, persona, request):
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


# --- the project page -------------------------------------------------------------------------

def test_anonymous_visitors_see_the_project_without_contact_details(client_for, anonymous, project):
    response = client_for(anonymous).get(detail_url(project))

    html = text(response)
    assert response.status_code == 200
    for shown in (project.title, project.employer.name, "Enterprise", "Computer vision", "100%",
                  "Jiangsu 苏州", "GPU 服务器与企业导师", "200,000", project.call.name):
        assert shown in html
    assert project.contact_phone not in html and project.contact_email not in html
    assert 'id="log-in-to-express"' in html and 'id="interest-form"' not in html


@pytest.mark.parametrize("persona", ["university", "ministry"])
def test_verified_universities_and_ministry_see_the_contact_details(client_for, project, persona,
                                                                    request):
    response = client_for(request.getfixturevalue(persona)).get(detail_url(project))

    assert response.status_code == 200
    assert project.contact_phone in text(response) and project.contact_email in text(response)


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected", "withdrawn"])
@pytest.mark.parametrize("persona", ["anonymous", "university", "employer", "ministry"])
def test_an_unpublished_project_is_not_found(client_for, status, persona, request):
    owner = request.getfixturevalue("employer")
    proposal = ProposalFactory(status=status, employer=owner.employer)

    response = client_for(request.getfixturevalue(persona)).get(detail_url(proposal))

    assert response.status_code == 404


def test_the_page_links_attachments_and_counts_interests(client_for, university, project):
    project.attachments.create(file="proposals/plan.pdf", name="实施方案.pdf", size=1200)
    InterestFactory(proposal=project, response="welcome")
    InterestFactory(proposal=project)
    InterestFactory(proposal=project, status="withdrawn")
    project_refresh(IntroductionFactory(proposal=project, status="accepted").proposal)

    html = text(client_for(university).get(detail_url(project)))

    attachment = project.attachments.get()
    assert reverse("projects:attachment-download", args=[project.public_id, attachment.public_id]) in html
    assert re.search(r'id="interest-count">2<', html) and re.search(r'id="places-left">1<', html)


def test_a_verified_university_sees_its_capacity_and_allowance(client_for, university, project):
    give_capacity(university, 30)
    project.call.max_interests_per_university = 3
    project.call.save()
    InterestFactory(university=university.university, students_offered=8,
                    proposal=publish(call=project.call))

    html = text(client_for(university).get(detail_url(project)))

    assert 'id="interest-form"' in html
    assert "Student places left for Employment internship base: <strong>22</strong> of 30 (8 offered" in html
    assert "may express interest in 2 more projects in this call" in html
    assert 'value="李娜"' in html  # the contact fields start with the university's


def test_a_pending_university_is_told_to_wait_for_verification(client_for, pending_university, project):
    html = text(client_for(pending_university).get(detail_url(project)))
    assert 'id="verification-needed"' in html and 'id="interest-form"' not in html


def test_the_employer_and_ministry_see_a_link_to_the_interests(client_for, employer, ministry):
    project = publish(employer=employer.employer)
    link = reverse("projects:proposal-interests", args=[project.public_id])

    assert link in text(client_for(employer).get(detail_url(project)))
    assert link in text(client_for(ministry).get(detail_url(project)))
    assert link not in text(client_for(None).get(detail_url(project)))
    owner_page = client_for(employer).get(reverse("projects:proposal-detail", args=[project.public_id]))
    assert link in text(owner_page)


# --- expressing, changing and withdrawing interest ---------------------------------------------

def express(client, project, **data):
    return client.post(reverse("projects:interest-create", args=[project.public_id]),
                       {"students_offered": 5, "statement": "我校人工智能学院有相关方向。", **data})


def test_a_university_expresses_interest(client_for, university, project,
                                         django_capture_on_commit_callbacks):
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
    InterestFactory(university=university.university, students_offered=7,
                    proposal=publish(call=project.call))

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

    response = express(client_for(university), project, students_offered=0, statement="",
                       contact_phone="12345")

    errors = field_errors(response)
    assert response.status_code == 400
    assert set(errors) >= {"students_offered", "statement", "contact_phone"}
    assert not Interest.objects.exists()


@pytest.mark.parametrize(("persona", "expected"), [
    ("pending_university", 403), ("employer", 403), ("ministry", 403), ("anonymous", "login"),
])
def test_only_verified_universities_express_interest(client_for, project, persona, expected, request):
    response = express(client_for(request.getfixturevalue(persona)), project)

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    assert not Interest.objects.exists()


def test_a_university_changes_its_interest(client_for, university, project):
    give_capacity(university, 10)
    interest = InterestFactory(university=university.university, proposal=project, students_offered=3)
    client = client_for(university)

    response = client.post(interest_url("interest-edit", interest),
                           {"students_offered": 6, "statement": "新的说明", "next": detail_url(project)})

    interest.refresh_from_db()
    assert response.status_code == 302 and response.url == detail_url(project)
    assert (interest.students_offered, interest.statement) == (6, "新的说明")
    too_many = client.post(interest_url("interest-edit", interest),
                           {"students_offered": 11, "statement": "新的说明"})
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
    InterestFactory(university=university.university, proposal=project, response="not_a_fit",
                    response_reason="本项目需要苏州本地高校。", responded_at=timezone.now())

    html = text(client_for(university).get(detail_url(project)))

    assert "Not a fit" in html and "本项目需要苏州本地高校。" in html


@pytest.mark.parametrize("action", ["interest-edit", "interest-withdraw"])
@pytest.mark.parametrize(("persona", "expected"), [
    ("other_university", 404), ("other_employer", 404), ("employer", 403), ("anonymous", "login"),
])
def test_only_its_university_changes_an_interest(client_for, employer, project, action, persona,
                                                 expected, request):
    project.employer = employer.employer
    project.save()
    interest = InterestFactory(proposal=project, students_offered=2)

    response = client_for(request.getfixturevalue(persona)).post(
        interest_url(action, interest), {"students_offered": 1, "statement": "改"})

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    interest.refresh_from_db()
    assert (interest.status, interest.students_offered) == ("live", 2)


# --- the employer's interests page ------------------------------------------------------------

@pytest.fixture
def own_project(employer):
    return publish(employer=employer.employer, partners_sought=2)


def interests_url(proposal) -> str:
    return reverse("projects:proposal-interests", args=[proposal.public_id])


def with_profile(interest, strengths: dict[str, float]) -> None:
    for code, weight in strengths.items():
        UniversityStrength.objects.create(university=interest.university, weight=weight,
                                          area=FocusArea.objects.get(code=code))
    UniversityCapacity.objects.create(university=interest.university, project_type="internship_base",
                                      places=60, projects=4)


def test_the_employer_sees_the_interests_with_the_universities_profiles(client_for, employer, own_project):
    interest = InterestFactory(proposal=own_project, university__name="东南大学", students_offered=12,
                               university__tier="double_first_class")
    with_profile(interest, {"cv": 0.9, "ml.deep_learning": 0.4})
    InterestFactory(proposal=own_project, status="withdrawn")

    response = client_for(employer).get(interests_url(own_project))

    html = text(response)
    assert response.status_code == 200
    card = html.split(f'id="interest-{interest.public_id}"')[1].split("</article>")[0]
    for shown in ("东南大学", "Jiangsu 南京", "Double First-Class university", "Computer vision",
                  "90%", "Deep learning", "40%", "60 student places, at most 4 projects", ">12<",
                  interest.statement, interest.contact_email):
        assert shown in card
    assert card.index("Computer vision") < card.index("Deep learning")
    assert html.count('class="form respond-form"') == 1  # the withdrawn one has no form


def test_the_interests_page_makes_as_many_queries_for_8_interests_as_for_2(
        client_for, employer, own_project, django_assert_max_num_queries):
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


@pytest.mark.parametrize(("persona", "expected"), [
    ("employer", 200), ("ministry", 200), ("other_employer", 404), ("university", 404),
    ("anonymous", "login"),
])
def test_who_sees_the_interests_page(client_for, own_project, university, persona, expected, request):
    InterestFactory(proposal=own_project, university=university.university)

    response = client_for(request.getfixturevalue(persona)).get(interests_url(own_project))

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    if persona == "ministry":
        assert "respond-form" not in text(response) and "Read only" in text(response)


def respond(client, interest, **data):
    prefix = interest.public_id.hex
    return client.post(interest_url("interest-respond", interest),
                       {f"{prefix}-{key}": value for key, value in data.items()})


def test_the_employer_welcomes_an_interest(client_for, employer, own_project, university, mailoutbox,
                                          django_capture_on_commit_callbacks):
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


@pytest.mark.parametrize(("persona", "expected"), [
    ("ministry", 403), ("university", 403), ("other_employer", 404), ("other_university", 404),
    ("anonymous", "login"),
])
def test_only_the_projects_employer_answers(client_for, own_project, university, persona, expected,
                                            request):
    interest = InterestFactory(proposal=own_project, university=university.university)

    response = respond(client_for(request.getfixturevalue(persona)), interest, response="welcome")

    assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    interest.refresh_from_db()
    assert interest.response == ""


# --- saved searches ---------------------------------------------------------------------------

def test_a_university_saves_a_search_and_reopens_it(client_for, university):
    client = client_for(university)

    response = client.post(SAVED, {"name": "江苏视觉", "query": "area=cv&province=32&page=3"})

    saved = SavedSearch.objects.get()
    assert response.status_code == 302 and response.url == SAVED
    assert (saved.user, saved.name, saved.query) == (university, "江苏视觉", "area=cv&province=32")
    html = text(client.get(SAVED))
    assert f'href="{CATALOGUE}?area=cv&province=32"' in html
    assert "Focus area: Computer vision" in html and "Province: Jiangsu" in html


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "坏的", "query": "student_places_min=many"}, "student_places_min"),
    ({"name": "", "query": "province=32"}, "required"),
])
def test_a_bad_saved_search_is_refused_with_a_message(client_for, university, data, message):
    response = client_for(university).post(SAVED, data)

    assert response.status_code == 302 and response.url.startswith(CATALOGUE)
    assert message in flashed(response)[-1]
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize(("persona", "get_expected", "post_expected"), [
    ("university", 200, 302), ("pending_university", 200, 403), ("employer", 403, 403),
    ("ministry", 403, 403), ("anonymous", "login", "login"),
])
def test_who_saves_searches(client_for, persona, get_expected, post_expected, request):
    client = client_for(request.getfixturevalue(persona))

    got = client.get(SAVED)
    posted = client.post(SAVED, {"name": "全部", "query": ""})

    for response, expected in ((got, get_expected), (posted, post_expected)):
        assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    assert SavedSearch.objects.count() == (1 if persona == "university" else 0)


def test_a_user_deletes_only_its_own_saved_searches(client_for, university, other_university):
    mine = SavedSearch.objects.create(user=university, name="我的", query="province=32")
    theirs = SavedSearch.objects.create(user=other_university, name="别人的", query="")
    client = client_for(university)

    deleted = client.post(reverse("projects:saved-search-delete", args=[mine.public_id]))
    other = client.post(reverse("projects:saved-search-delete", args=[theirs.public_id]))
    anonymous = client_for(None).post(reverse("projects:saved-search-delete", args=[theirs.public_id]))

    assert deleted.status_code == 302 and other.status_code == 404 and is_login_redirect(anonymous)
    assert list(SavedSearch.objects.all()) == [theirs]


# --- navigation -------------------------------------------------------------------------------

def test_the_navigation_links_the_catalogue_and_the_universitys_pages(client_for, university, employer):
    anonymous_nav = text(client_for(None).get(CATALOGUE)).split("</nav>")[0]
    university_nav = text(client_for(university).get(CATALOGUE)).split("</nav>")[0]
    employer_nav = text(client_for(employer).get(CATALOGUE)).split("</nav>")[0]

    assert f'href="{CATALOGUE}"' in anonymous_nav and "/recommended/" not in anonymous_nav
    for link in ('href="/recommended/"', f'href="{SAVED}"', 'href="/university/"'):
        assert link in university_nav
    assert f'href="{reverse("accounts:dashboard")}"' in employer_nav and SAVED not in employer_nav


def test_the_catalogue_keeps_its_rendered_results_a_minute_per_language_and_filters(
        client, django_assert_max_num_queries):
    publish(areas={"cv": 1})
    first = client.get(CATALOGUE, {"area": "cv"})
    publish(areas={"cv": 1})
    with django_assert_max_num_queries(2):  # the session and nothing else
        again = client.get(CATALOGUE, {"area": "cv"})
    assert len(titles(again)) == len(titles(first)) == 1
    assert len(titles(client.get(CATALOGUE, {"area": "cv", "ordering": "newest"}))) == 2
    chinese = client.get(CATALOGUE, {"area": "cv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert len(titles(chinese)) == 2 and "Published projects" not in chinese.content.decode()
