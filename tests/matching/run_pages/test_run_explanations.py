"""What a run's page explains: how good its choice is, that no university is over its places,
capacity held, mutual interest, why each other candidate was not proposed and what took its
capacity, and who the introductions reach, in both languages."""

import re
from types import SimpleNamespace

import pytest

from matching.models import Candidate, MatchRun
from tests.factories import (
    CallFactory,
    InterestFactory,
    IntroductionFactory,
    UniversityFactory,
)
from tests.matching.conftest import set_profile

from .pages import (
    INTERNSHIP,
    published,
    run_url,
    start_run,
    text,
)

pytestmark = pytest.mark.django_db


# --- a run's explanations: quality, capacity, mutual interest, reasons, coverage ----------------


def summary_of(response) -> str:
    return text(response).split('id="run-summary"')[1].split('id="run-results"')[0]


def test_the_run_page_explains_the_quality_of_its_choice(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(bound=2.5, gap=0.0123)
    response = client_for(ministry).get(run_url(run))
    summary = summary_of(response)
    assert "Quality of this choice: within 1.23 % of the best total possible (upper bound 2.5000)." in summary
    assert (
        "No choice of introductions that fits the capacities can total more than the upper bound" in summary
    )
    assert "time limit" not in summary
    assert "The total score of the proposed introductions: the sum of their scores." in summary
    assert "A university and a project not introduced to each other that would both rather be" in summary
    body = text(response)
    params = body.split('id="run-params"')[1].split("</dl>")[0]
    assert "the best 20 universities of each project, the best 50 projects of each university" in params
    assert 'id="run-floor">0.10' in params and "except a mutual-interest pair" in params
    assert "optimised with the HiGHS solver, which also proves the upper bound" in params
    assert run.solver in params
    for jargon in ["OR-Tools", "min-cost", "minimum-cost", "numpy scoring"]:
        assert jargon not in body


def test_a_run_stopped_at_its_time_limit_says_so(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(summary={**run.summary, "time_limited": True})
    summary = summary_of(client_for(ministry).get(run_url(run)))
    assert "The solver stopped at its time limit: this is the best choice it had found by then." in summary


def test_no_university_is_over_its_places_and_every_proposal_fits(client_for, ministry, run):
    assert run.summary["over_places"] == []
    over = summary_of(client_for(ministry).get(run_url(run))).split('id="over-places"')[1]
    assert "Universities over their student places" in over
    assert 'id="over-places-count">0<' in over
    assert "Every proposed introduction fits all three capacities" in over


def test_capacity_held_by_earlier_introductions_is_counted(
    client_for, ministry, matching_round, university, django_capture_on_commit_callbacks
):
    IntroductionFactory(proposal=matching_round.projects.vision, university=university.university, places=20)
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    held = summary_of(client_for(ministry).get(run_url(run))).split('id="held-capacity"')[1]
    assert 'id="held-universities">1<' in held
    assert (
        "1 university held capacity from introductions already sent or accepted (student "
        "places held: 20; project slots held: 1)." in held
    )


def test_mutual_interest_pairs_are_counted_with_why_the_rest_were_not_proposed(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(
        summary={
            **run.summary,
            "mutual": {
                "pairs": 4,
                "proposed": 2,
                "missed": 0,
                "not_proposed": {"project_full": 1, "places_taken": 1},
            },
        }
    )
    mutual = summary_of(client_for(ministry).get(run_url(run))).split('id="mutual-interest"')[1]
    assert (
        "4 mutual-interest pairs (the university applied and the employer welcomed it); 2 proposed." in mutual
    )
    assert "The other 2 were not proposed because:" in mutual
    assert "<li>The project's partner places went to other universities: 1</li>" in mutual
    assert (
        "<li>The university's student places of this type left are fewer than this project's "
        "share: 1</li>" in mutual
    )
    assert 'id="mutual-missed"' not in mutual


def test_a_mutual_interest_pair_left_out_without_a_reason_is_flagged(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(
        summary={
            **run.summary,
            "mutual": {"pairs": 2, "proposed": 0, "missed": 1, "not_proposed": {"slots_taken": 1}},
        }
    )
    mutual = summary_of(client_for(ministry).get(run_url(run))).split('id="mutual-interest"')[1]
    assert "No reason found, although the capacities allowed it: 1 (please report this run)" in mutual


def test_a_welcomed_interest_is_proposed_first(
    client_for, ministry, matching_round, other_university, django_capture_on_commit_callbacks
):
    # Beihang has no vision strength (below the floor), but the employer welcomed its application.
    InterestFactory(
        proposal=matching_round.projects.vision, university=other_university.university, response="welcome"
    )
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    assert Candidate.objects.get(
        run=run, proposal=matching_round.projects.vision, university=other_university.university
    ).proposed
    mutual = summary_of(client_for(ministry).get(run_url(run))).split('id="mutual-interest"')[1]
    assert (
        "1 mutual-interest pair (the university applied and the employer welcomed it); 1 proposed." in mutual
    )


def test_the_reasons_overview_counts_each_reason(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(
        summary={**run.summary, "reasons": {"slots_taken": 4, "below_floor": 7}}
    )
    reasons = summary_of(client_for(ministry).get(run_url(run))).split('id="run-reasons"')[1]
    reasons = reasons.split("</table>")[0]
    assert "<caption>Why the other candidates were not proposed</caption>" in reasons
    assert '<th scope="col">Reason</th>' in reasons
    rows = re.findall(r'<tr id="reason-(\w+)"><th scope="row">([^<]+)</th><td class="num">(\d+)<', reasons)
    assert rows == [
        ("below_floor", "Its AI area fit is below the run's floor", "7"),
        ("slots_taken", "The university's project slots of this type went to other projects", "4"),
    ]


@pytest.mark.parametrize(
    "code, words",
    [
        ("all_held", "All capacity is already held: no project has a partner place left"),
        ("no_scores", "No pair scored above 0 with these weights."),
        ("nothing_fits", "No pair fits: every pair that scores above 0 is below the AI-fit floor"),
        ("no_candidates", "The run found no candidate"),
    ],
)
def test_a_run_that_proposes_nothing_says_why(client_for, ministry, run, code, words):
    MatchRun.objects.filter(pk=run.pk).update(summary={**run.summary, "proposed": 0, "empty_because": code})
    summary = summary_of(client_for(ministry).get(run_url(run)))
    notice = summary.split('id="run-empty"')[1].split("</div>")[0]
    assert "This run proposes no introduction." in notice and words in notice


def test_a_run_whose_capacity_is_all_held_proposes_nothing_and_says_why(
    client_for, ministry, matching_round, university, other_university, django_capture_on_commit_callbacks
):
    p = matching_round.projects
    for project, holder in [
        (p.vision, university),
        (p.language, university),
        (p.language, other_university),
        (p.robots, other_university),
    ]:
        IntroductionFactory(proposal=project, university=holder.university, places=20)
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    assert (run.summary["proposed"], run.summary["empty_because"]) == (0, "all_held")
    client = client_for(ministry)
    summary = summary_of(client.get(run_url(run)))
    assert "All capacity is already held" in summary.split('id="run-empty"')[1]
    assert (
        "2 universities held capacity from introductions already sent or accepted (student "
        "places held: 80; project slots held: 4)." in summary
    )
    chinese = summary_of(client.get(run_url(run), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "本次匹配运行未产生推荐对接。" in chinese and "全部容量均已占满" in chinese


def test_a_run_that_proposes_some_has_no_empty_notice(client_for, ministry, run):
    assert 'id="run-empty"' not in summary_of(client_for(ministry).get(run_url(run)))


def coverage_table(summary: str, table: str) -> str:
    return summary.split(f'<table class="table coverage" id="{table}">')[1].split("</table>")[0]


def test_coverage_by_region_and_by_tier_sits_beside_the_greedy_choice(client_for, ministry, run):
    summary = summary_of(client_for(ministry).get(run_url(run)))
    regions = coverage_table(summary, "coverage-regions")
    assert (
        "<caption>By region: universities reached and students placed by the proposed "
        "introductions, beside the greedy choice (best score first within the same capacities)"
        "</caption>" in regions
    )
    assert '<th scope="col" rowspan="2">Region</th>' in regions
    assert '<th scope="colgroup" colspan="2" class="num">Greedy choice</th>' in regions
    rows = dict(
        re.findall(
            r'<tr id="coverage-regions-(\w+)"><th scope="row">[^<]+</th>((?:<td '
            r'class="num">\d+</td>){5})</tr>',
            regions,
        )
    )
    assert list(rows) == ["north", "northeast", "east", "central", "south", "southwest", "northwest"]
    figures = {code: [int(n) for n in re.findall(r">(\d+)<", cells)] for code, cells in rows.items()}
    east = next(r for r in run.summary["coverage"]["regions"] if r["code"] == "east")
    assert figures["east"] == [1, 1, east["placed"], east["greedy_reached"], east["greedy_placed"]]
    assert figures["north"][0] == 1 and figures["south"] == [0, 0, 0, 0, 0]
    assert '<th scope="row">East</th>' in regions and '<th scope="row">Northwest</th>' in regions
    tiers = coverage_table(summary, "coverage-tiers")
    assert "<caption>By kind of university (tier):" in tiers
    assert '<th scope="row">Undergraduate university</th>' in tiers
    total = tiers.split("<tfoot>")[1]
    assert (
        f'<td class="num">2</td><td class="num">2</td><td class="num">'
        f"{run.summary['students_placed']}</td>" in total
    )


def test_the_run_page_in_chinese(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(
        bound=2.5, gap=0.0123, summary={**run.summary, "reasons": {"below_floor": 3}}
    )
    response = client_for(ministry).get(run_url(run), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = text(response)
    summary = summary_of(response)
    assert "与理论最优的差距：不超过 1.23%（上界 2.5000）" in summary
    assert "在满足各项容量限制的前提下，任何对接方案的总得分都不会超过该上界" in summary
    assert "推荐对接的总得分" in summary and "阻塞对" in summary
    assert "学生名额超额的高校" in summary and "每项推荐对接均同时满足三项容量限制" in summary
    assert "双向意向" in summary
    assert "AI 领域匹配度低于本次运行设定的下限" in summary
    assert "<caption>按地域：" in summary and '<th scope="row">华东</th>' in summary
    assert "<caption>按院校类别：" in summary and '<th scope="row">普通本科高校</th>' in summary
    assert "AI 领域匹配度下限" in body and "HiGHS 求解器" in body
    results = body.split('id="run-results"')[1]
    assert "未推荐原因" in results or "推荐对接" in results
    assert "AI 领域匹配度低于本次运行设定的下限" in results


@pytest.fixture
def capacity_run(ministry, django_capture_on_commit_callbacks) -> SimpleNamespace:
    """Capacity that went to other proposals. 甲大学 (language 1.0, vision 0.9) has one internship
    slot and one directed-training slot, 乙大学 (vision 0.6) the same. The language internship
    scores .90 at 甲 only, the vision internship .84 at 甲 and .66 at 乙 (two partners sought),
    the vision training .84 at 甲 and .66 at 乙 (one partner sought). The best choice gives 甲's
    internship slot to the language project, so the vision internship at 甲 waits for a slot
    (slots_taken, taken by the language project); the training's one partner place goes to 甲,
    so 乙 waits for it (project_full, taken by 甲)."""
    call = CallFactory(name="Capacity batch")
    first = set_profile(
        UniversityFactory(name="甲大学", province="32"),
        {"nlp": 1.0, "cv": 0.9},
        {INTERNSHIP: (100, 1), "directed_training": (100, 1)},
    )
    second = set_profile(
        UniversityFactory(name="乙大学", province="32"),
        {"cv": 0.6},
        {INTERNSHIP: (100, 1), "directed_training": (100, 1)},
    )
    projects = SimpleNamespace(
        language=published(
            call=call,
            title="语言实习",
            areas={"nlp": 1},
            host_province="32",
            student_places=10,
            partners_sought=2,
        ),
        vision=published(
            call=call,
            title="视觉实习",
            areas={"cv": 1},
            host_province="32",
            student_places=10,
            partners_sought=2,
        ),
        training=published(
            call=call,
            title="视觉培养",
            project_type="directed_training",
            areas={"cv": 1},
            host_province="32",
            student_places=10,
            partners_sought=1,
        ),
    )
    run = start_run(ministry, call, django_capture_on_commit_callbacks)
    return SimpleNamespace(run=run, first=first, second=second, projects=projects)


def row_of(body: str, group: str, name: str) -> str:
    return body.split(f'id="{group}"')[1].split(f"{name}<")[1].split("</tr>")[0]


def test_each_candidate_not_proposed_says_why_and_names_what_took_its_capacity(
    client_for, ministry, capacity_run
):
    c = capacity_run
    reason = {(x.proposal_id, x.university_id): x.reason_code for x in Candidate.objects.filter(run=c.run)}
    p = c.projects
    assert reason == {
        (p.language.pk, c.first.pk): None,
        (p.language.pk, c.second.pk): "below_floor",
        (p.vision.pk, c.first.pk): "slots_taken",
        (p.vision.pk, c.second.pk): None,
        (p.training.pk, c.first.pk): None,
        (p.training.pk, c.second.pk): "project_full",
    }
    body = text(client_for(ministry).get(run_url(c.run)))
    waiting = row_of(body, f"project-{p.vision.public_id}", "甲大学")
    assert "The university's project slots of this type went to other projects" in waiting
    assert "Taken by these proposals of the same type: 语言实习" in waiting
    assert re.search(r"语言实习 <span class=\"muted\">\(0\.900\)</span>", waiting)
    full = row_of(body, f"project-{p.training.public_id}", "乙大学")
    assert "The project's partner places went to other universities" in full
    assert re.search(r"Taken by: 甲大学 <span class=\"muted\">\(0\.840\)</span>", full)
    below = row_of(body, f"project-{p.language.public_id}", "乙大学")
    assert "Its AI area fit is below the run's floor" in below and "Taken by" not in below
    for group in [p.language, p.vision, p.training]:
        section = body.split(f'id="project-{group.public_id}"')[1].split("</section>")[0]
        rows = section.split("<tbody>")[1].split("</tr>")[:-1]
        assert all("badge-proposed" in row or 'class="reason reason-' in row for row in rows)


def test_the_university_view_names_what_took_its_capacity_too(client_for, ministry, capacity_run):
    c = capacity_run
    body = text(client_for(ministry).get(run_url(c.run), {"view": "universities"}))
    first = body.split(f'id="university-{c.first.public_id}"')[1].split("</section>")[0]
    waiting = first.split("视觉实习</a>")[1].split("</tr>")[0]
    assert "Taken by these proposals of the same type: 语言实习" in waiting
    second = body.split(f'id="university-{c.second.public_id}"')[1].split("</section>")[0]
    assert "Taken by: 甲大学" in second.split("视觉培养</a>")[1].split("</tr>")[0]


def test_the_reasons_cost_one_query_a_page(client_for, ministry, capacity_run, django_assert_max_num_queries):
    client = client_for(ministry)
    with django_assert_max_num_queries(11):  # 10, and the staff member's second factor
        response = client.get(run_url(capacity_run.run))
    assert "Taken by" in text(response)
