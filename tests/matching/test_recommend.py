"""“Recommended for you” on the database: the engine's score of each published project for one
university, ranked, explained, filtered and kept fresh."""

import pytest

from accounts import services as account_services
from matching.recommend import recommended
from projects import selectors
from projects import services as project_services
from projects.filters import ProjectFilter
from tests.factories import ProposalFactory
from tests.matching.conftest import set_profile

pytestmark = pytest.mark.django_db

INTERNSHIP = "internship_base"


@pytest.fixture
def cv_university(university):
    """Strong in computer vision (medical imaging especially), some machine learning; in
    Jiangsu (32, east China); 10 internship places and 2 internship projects this round."""
    set_profile(
        university.university, {"cv": 0.9, "cv.medical_imaging": 0.6, "ml": 0.4}, {INTERNSHIP: (10, 2)}
    )
    return university


def published(**fields):
    return ProposalFactory(status="published", **fields)


def titles(recommendations) -> list[str]:
    return [r.proposal.title for r in recommendations]


def test_a_university_strong_in_computer_vision_gets_computer_vision_projects_first(cv_university):
    published(title="NLP", areas={"nlp": 1})
    published(title="Robots", areas={"robotics": 1})
    published(title="Vision", areas={"cv": 1})
    published(title="Imaging", areas={"cv.medical_imaging": 1})
    results, total = recommended(cv_university.university)
    # Vision 0.6·0.9, imaging 0.6·0.6, then the two that fit only by capacity and region.
    assert titles(results)[:2] == ["Vision", "Imaging"]
    assert total == 4
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_the_components_are_the_hand_computed_ones(cv_university):
    project = published(
        areas={"cv.medical_imaging": 3, "ml": 1}, student_places=40, partners_sought=2, host_province="33"
    )
    [result], total = recommended(cv_university.university)
    assert total == 1
    assert result.proposal == project
    # Area: 0.75 × 0.6 (medical imaging) + 0.25 × 0.4 (ml); capacity: 10 places against 40 ÷ 2
    # per partner; region: Zhejiang is in east China like Jiangsu; no interest.
    assert result.components == pytest.approx({"area": 0.55, "capacity": 0.5, "region": 0.5, "interest": 0.0})
    assert result.score == pytest.approx(0.60 * 0.55 + 0.15 * 0.5 + 0.15 * 0.5)
    assert [area.code for area in result.reasons] == ["cv.medical_imaging", "ml"]


def test_a_parent_area_project_counts_the_best_sub_area_strength(university):
    set_profile(university.university, {"cv.medical_imaging": 0.8}, {INTERNSHIP: (20, 1)})
    published(areas={"cv": 1})
    [result], _total = recommended(university.university)
    assert result.components["area"] == pytest.approx(0.8)


def test_the_ranking_honours_the_filters(cv_university):
    published(title="Vision in Beijing", areas={"cv": 1}, host_province="11")
    published(title="Vision in Jiangsu", areas={"cv": 1}, host_province="32")
    published(title="Language in Beijing", areas={"nlp": 1}, host_province="11")
    filterset = ProjectFilter({"province": "11"}, queryset=selectors.catalogue())
    results, total = recommended(cv_university.university, queryset=filterset.qs, key="province=11")
    assert titles(results) == ["Vision in Beijing", "Language in Beijing"]
    assert total == 2
    # A different filter is a different ranking, not the cached one.
    filterset = ProjectFilter({"area": "nlp"}, queryset=selectors.catalogue())
    results, total = recommended(cv_university.university, queryset=filterset.qs, key="area=nlp")
    assert titles(results) == ["Language in Beijing"]


def test_only_published_projects_are_recommended(cv_university):
    ProposalFactory(title="Draft", areas={"cv": 1})
    ProposalFactory(title="Withdrawn", status="withdrawn", areas={"cv": 1})
    published(title="Published", areas={"cv": 1})
    results, total = recommended(cv_university.university)
    assert titles(results) == ["Published"]
    assert total == 1


def test_only_types_the_university_has_places_and_slots_for_are_eligible(university):
    set_profile(
        university.university,
        {"cv": 0.9},
        {INTERNSHIP: (10, 1), "directed_training": (0, 2), "workforce_development": (30, 0)},
    )
    published(title="Internship", project_type=INTERNSHIP)
    published(title="Training", project_type="directed_training", training_hours=40)
    published(title="Workforce", project_type="workforce_development", trainees=10)
    results, total = recommended(university.university)
    assert titles(results) == ["Internship"]
    assert total == 1


def test_a_university_without_capacity_gets_no_recommendations(university):
    set_profile(university.university, {"cv": 1.0}, {})
    published(areas={"cv": 1})
    assert recommended(university.university) == ([], 0)


def test_a_live_interest_raises_the_score_and_a_withdrawn_one_does_not(cv_university):
    first = published(title="First", areas={"cv": 1})
    second = published(title="Second", areas={"cv": 1})
    before, _total = recommended(cv_university.university)
    assert {r.proposal.title: r.components["interest"] for r in before} == {"First": 0.0, "Second": 0.0}
    baseline = before[0].score

    interest = project_services.interest_create(
        actor=cv_university, proposal=second, fields={"students_offered": 5, "statement": "我们有视觉团队。"}
    )
    after, _total = recommended(cv_university.university)
    # The ranking is cached; a new interest must still reorder it at once.
    assert titles(after) == ["Second", "First"]
    assert after[0].components["interest"] == 1.0
    assert after[0].score == pytest.approx(baseline + 0.10)

    project_services.interest_withdraw(actor=cv_university, interest=interest)
    withdrawn, _total = recommended(cv_university.university)
    assert {r.proposal.title: r.score for r in withdrawn} == pytest.approx(
        {"First": baseline, "Second": baseline}
    )
    assert first.pk in {r.proposal.pk for r in withdrawn}


def test_a_changed_profile_changes_the_ranking_at_once(cv_university):
    published(title="Vision", areas={"cv": 1})
    published(title="Language", areas={"nlp": 1})
    assert titles(recommended(cv_university.university)[0]) == ["Vision", "Language"]
    account_services.university_profile_update(
        actor=cv_university,
        university=cv_university.university,
        strengths={"nlp": 1.0},
        capacity={INTERNSHIP: {"places": 10, "projects": 2}},
    )
    assert titles(recommended(cv_university.university)[0]) == ["Language", "Vision"]


def test_pages_of_the_ranking_follow_on(cv_university):
    for i in range(7):
        published(title=f"P{i}", areas={"cv": 1, "nlp": i + 1})
    everything, total = recommended(cv_university.university, limit=100)
    first, total_first = recommended(cv_university.university, limit=3, offset=0)
    last, _total = recommended(cv_university.university, limit=3, offset=6)
    assert total == total_first == 7
    assert titles(first) == titles(everything)[:3]
    assert titles(last) == titles(everything)[6:]
    assert recommended(cv_university.university, limit=3, offset=99) == ([], 7)
