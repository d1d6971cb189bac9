"""Ministry staff's matching pages (run history and the start form, a run's progress, summary
and results, publishing, running again) and the published results employers and universities
see: the persona matrix, bad input, filters and query-count bounds."""

import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import University
from matching import services
from matching.models import Candidate, MatchRun
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    InterestFactory,
    IntroductionFactory,
    ProposalFactory,
    UniversityFactory,
    UniversityUserFactory,
)
from tests.matching.conftest import set_profile

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
RUNS = reverse("matching:run-list")
MY_PROJECTS = reverse("matching:my-projects")
MY_PROPOSALS = reverse("matching:my-proposals")
INTERNSHIP = "internship_base"
VISION, LANGUAGE, ROBOTS = "工业视觉质检实习基地", "智能客服对话实习基地", "视觉导航机器人实习基地"
SEU, BUAA = "东南大学", "北京航空航天大学"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def text(response) -> str:
    return unescape(response.content.decode())


def published(**fields):
    return ProposalFactory(status="published", **fields)


def start_run(actor, call, capture, **params) -> MatchRun:
    """A run started through the service and, as the eager Celery task runs on commit, done."""
    with capture(execute=True):
        run = services.match_run_create(actor=actor, call=call, **params)
    run.refresh_from_db()
    return run


@pytest.fixture
def matching_round(employer, other_employer, university, other_university):
    """A call with two projects of `employer` and one of `other_employer`, and two universities:
    Southeast (Jiangsu, strong in vision) and Beihang (Beijing, language and robotics)."""
    call = CallFactory(name="2027 AI batch")
    projects = SimpleNamespace(
        vision=published(call=call, employer=employer.employer, title=VISION, areas={"cv": 1},
                         host_province="32"),
        language=published(call=call, employer=employer.employer, title=LANGUAGE, areas={"nlp": 1},
                           host_province="11"),
        robots=published(call=call, employer=other_employer.employer, title=ROBOTS,
                         areas={"robotics": 1}, host_province="44"),
    )
    University.objects.filter(pk=university.university_id).update(name=SEU, province="32")
    University.objects.filter(pk=other_university.university_id).update(name=BUAA, province="11")
    set_profile(university.university, {"cv": 0.9, "ml": 0.5}, {INTERNSHIP: (40, 2)})
    set_profile(other_university.university, {"nlp": 0.8, "robotics": 0.7}, {INTERNSHIP: (40, 2)})
    return SimpleNamespace(call=call, projects=projects)


@pytest.fixture
def run(ministry, matching_round, django_capture_on_commit_callbacks) -> MatchRun:
    return start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)


def run_url(run, name="run-detail") -> str:
    return reverse(f"matching:{name}", args=[run.public_id])


def publish(run, ministry):
    return services.match_run_publish(actor=ministry, run=run)


# --- who may open the pages -------------------------------------------------------------------

STAFF_GETS = ["run-list", "run-detail", "run-progress"]


def staff_url(name, run) -> str:
    return RUNS if name == "run-list" else run_url(run, name)


@pytest.mark.parametrize("name", STAFF_GETS)
def test_ministry_staff_open_the_matching_pages(client_for, ministry, run, name):
    assert client_for(ministry).get(staff_url(name, run)).status_code == 200


@pytest.mark.parametrize("name", STAFF_GETS)
@pytest.mark.parametrize("persona", ["employer", "university", "pending_employer"])
def test_employers_and_universities_may_not_open_the_matching_pages(client_for, request, run, persona,
                                                                   name):
    assert client_for(request.getfixturevalue(persona)).get(staff_url(name, run)).status_code == 403


@pytest.mark.parametrize("name", STAFF_GETS)
def test_anonymous_users_are_sent_to_log_in(client_for, anonymous, run, name):
    url = staff_url(name, run)
    response = client_for(anonymous).get(url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("name", ["run-publish", "run-again"])
@pytest.mark.parametrize("persona", ["employer", "university"])
def test_only_ministry_staff_publish_or_rerun(client_for, request, run, persona, name):
    response = client_for(request.getfixturevalue(persona)).post(run_url(run, name))
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.published_at is None
    assert MatchRun.objects.count() == 1


@pytest.mark.parametrize("persona", ["employer", "university"])
def test_nobody_else_starts_a_run(client_for, request, matching_round, persona):
    response = client_for(request.getfixturevalue(persona)).post(RUNS, {"call": matching_round.call.slug})
    assert response.status_code == 403
    assert not MatchRun.objects.exists()


@pytest.mark.parametrize("name", ["run-detail", "run-progress"])
def test_an_unknown_run_is_404(client_for, ministry, name):
    url = reverse(f"matching:{name}", args=["7b0c3f0e-8f57-4a4e-b3a6-3e2f8d0c1a11"])
    assert client_for(ministry).get(url).status_code == 404


@pytest.mark.parametrize("url, allowed", [(MY_PROJECTS, "employer"), (MY_PROPOSALS, "university")])
@pytest.mark.parametrize("persona", ["employer", "university", "ministry"])
def test_the_published_results_pages_are_for_their_own_kind_of_organisation(
        client_for, request, url, allowed, persona):
    expected = 200 if persona == allowed else 403
    assert client_for(request.getfixturevalue(persona)).get(url).status_code == expected


@pytest.mark.parametrize("url", [MY_PROJECTS, MY_PROPOSALS])
def test_the_published_results_pages_send_anonymous_users_to_log_in(client_for, anonymous, url):
    response = client_for(anonymous).get(url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"


def test_an_unverified_university_is_told_to_get_verified(client_for, db):
    pending = UniversityUserFactory(university__status="pending")
    response = client_for(pending).get(MY_PROPOSALS)
    assert response.status_code == 403
    assert "must be verified first" in text(response)


def test_another_employers_project_is_404(client_for, other_employer, university, ministry, run,
                                          matching_round):
    publish(run, ministry)
    url = reverse("matching:my-project", args=[matching_round.projects.vision.public_id])
    assert client_for(other_employer).get(url).status_code == 404
    assert client_for(university).get(url).status_code == 403
    assert client_for(ministry).get(url).status_code == 403


def test_the_nav_links_to_the_matching_pages(client_for, ministry, employer, university):
    assert f'href="{RUNS}"' in text(client_for(ministry).get(reverse("projects:call-list")))
    assert f'href="{MY_PROJECTS}"' in text(client_for(employer).get(reverse("projects:dashboard")))
    assert f'href="{MY_PROPOSALS}"' in text(client_for(university).get(reverse("matching:recommended")))


# --- starting a run ---------------------------------------------------------------------------

def form_data(for_call, **overrides) -> dict:
    data = {"call": for_call.slug, "area": "0.6", "capacity": "0.15", "region": "0.15",
            "interest": "0.1", "k": "20", "m": "50"}
    data.update(overrides)
    return data


def test_the_form_offers_the_calls_and_the_default_parameters(client_for, ministry, matching_round):
    CallFactory(name="Empty batch", slug="empty-batch")
    body = text(client_for(ministry).get(RUNS))
    assert f'<option value="{matching_round.call.slug}"' in body
    assert "2027 AI batch (3 published projects)" in body
    assert "Empty batch (0 published projects)" in body
    for name, value in [("area", "0.6"), ("capacity", "0.15"), ("region", "0.15"), ("interest", "0.1"),
                        ("k", "20"), ("m", "50"), ("min_area_fit", "0.1")]:
        assert re.search(rf'name="{name}" value="{re.escape(value)}"', body), name
    assert "No matching run yet." in body


def test_staff_start_a_run_that_completes_within_the_request(
        client_for, ministry, matching_round, django_capture_on_commit_callbacks):
    client = client_for(ministry)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, form_data(matching_round.call, area="0.7", interest="0", k="5",
                                               m="10"))
    run = MatchRun.objects.get()
    assert response.status_code == 302
    assert response.url == run_url(run)
    assert (run.status, run.progress, run.k, run.m) == ("succeeded", 100, 5, 10)
    assert run.weights == {"area": 0.7, "capacity": 0.15, "region": 0.15, "interest": 0.0}
    assert run.created_by == ministry
    assert Candidate.objects.filter(run=run).exists()
    assert Candidate.objects.filter(run=run, proposed=True).count() == run.summary["proposed"] > 0
    body = text(client.get(response.url))
    assert "The matching run of “2027 AI batch” was started." in body
    assert 'id="run-progress-bar" max="100" value="100"' in body
    assert 'id="publish-run"' in body


@pytest.mark.parametrize("overrides, field", [
    ({"area": "-0.1"}, "area"),
    ({"region": "abc"}, "region"),
    ({"interest": "nan"}, "interest"),
    ({"capacity": "1.5"}, "capacity"),
    ({"k": "0"}, "k"),
    ({"k": "201"}, "k"),
    ({"m": "0"}, "m"),
    ({"m": "501"}, "m"),
    ({"m": "ten"}, "m"),
    ({"call": "no-such-call"}, "call"),
    ({"min_area_fit": "-0.1"}, "min_area_fit"),
    ({"min_area_fit": "1.01"}, "min_area_fit"),
    ({"min_area_fit": "nan"}, "min_area_fit"),
    ({"min_area_fit": "high"}, "min_area_fit"),
])
def test_bad_parameters_are_field_errors_and_start_nothing(client_for, ministry, matching_round,
                                                          overrides, field):
    response = client_for(ministry).post(RUNS, form_data(matching_round.call, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert not MatchRun.objects.exists()


def test_an_out_of_range_floor_says_why_in_both_languages(client_for, ministry, matching_round):
    client = client_for(ministry)
    response = client.post(RUNS, form_data(matching_round.call, min_area_fit="1.5"))
    assert response.context["form"].errors["min_area_fit"] == [
        "Ensure this value is less than or equal to 1."]
    body = text(client.post(RUNS, form_data(matching_round.call, min_area_fit="1.5"),
                            HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "AI 领域匹配度下限" in body and "确保该值小于或等于1。" in body
    assert not MatchRun.objects.exists()


def test_staff_set_the_ai_fit_floor_and_a_rerun_keeps_it(client_for, ministry, matching_round,
                                                         django_capture_on_commit_callbacks):
    client = client_for(ministry)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, form_data(matching_round.call, min_area_fit="0.95"))
    run = MatchRun.objects.get()
    assert run.min_area_fit == 0.95
    # No pair reaches 0.95 and none is of mutual interest: nothing is proposed, and the page
    # says why.
    assert run.summary["proposed"] == 0 and run.summary["empty_because"] == "nothing_fits"
    body = text(client.get(response.url))
    assert 'id="run-floor">0.95' in body
    assert "No pair fits: every pair that scores above 0 is below the AI-fit floor" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(run_url(run, "run-again"))
    assert MatchRun.objects.exclude(pk=run.pk).get().min_area_fit == 0.95


def test_a_blank_floor_takes_the_default(client_for, ministry, matching_round):
    client_for(ministry).post(RUNS, form_data(matching_round.call, min_area_fit=""))
    assert MatchRun.objects.get().min_area_fit == 0.10


def test_weights_that_are_all_zero_are_refused(client_for, ministry, matching_round):
    response = client_for(ministry).post(RUNS, form_data(matching_round.call, area="0", capacity="0",
                                                         region="0", interest="0"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert all(errors[name] == ["The weights must not all be 0."]
               for name in ("area", "capacity", "region", "interest"))
    assert not MatchRun.objects.exists()


def test_missing_parameters_are_required(client_for, ministry, matching_round):
    response = client_for(ministry).post(RUNS, {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"call", "area", "capacity", "region", "interest",
                                                    "k", "m"}
    assert not MatchRun.objects.exists()


def test_a_call_without_projects_gives_an_empty_succeeded_run(
        client_for, ministry, django_capture_on_commit_callbacks):
    call = CallFactory(name="Empty batch")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ministry).post(RUNS, form_data(call))
    run = MatchRun.objects.get()
    assert run.status == "succeeded"
    body = text(client_for(ministry).get(response.url))
    assert "This run found no candidate" in body


# --- the run history --------------------------------------------------------------------------

def test_the_history_lists_every_run_newest_first(client_for, ministry, run, matching_round,
                                                  django_capture_on_commit_callbacks):
    publish(run, ministry)
    other = CallFactory(name="2028 AI batch")
    queued = services.match_run_create(actor=ministry, call=other)  # no commit: stays queued
    body = text(client_for(ministry).get(RUNS))
    rows = body.split('<table class="table runs">')[1].split("</tbody>")[0].split("<tr>")[2:]
    assert len(rows) == 2
    assert "2028 AI batch" in rows[0] and "Queued" in rows[0] and "Not published" in rows[0]
    assert 'value="0"' in rows[0] and run_url(queued) in rows[0]
    assert "2027 AI batch" in rows[1] and "Succeeded" in rows[1] and "Published" in rows[1]
    summary = run.summary
    assert f"{summary['proposed']} / {summary['candidates']}" in rows[1]
    assert "ministry" in rows[1]
    assert "2 runs, newest first" in body


def test_the_history_is_paginated_with_bounded_queries(client_for, ministry, matching_round,
                                                       django_assert_max_num_queries):
    for _ in range(30):
        MatchRun.objects.create(call=matching_round.call, created_by=ministry,
                                weights=services.parse_weights(None), status="succeeded",
                                progress=100, summary={"proposed": 3, "candidates": 6})
    client = client_for(ministry)
    with django_assert_max_num_queries(10):
        response = client.get(RUNS)
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 25
    assert client.get(RUNS, {"page": "2"}).status_code == 200


# --- a run's page: progress, failure, publication ---------------------------------------------

def test_a_queued_run_shows_a_progress_bar_that_works_without_javascript(client_for, ministry,
                                                                         matching_round):
    run = services.match_run_create(actor=ministry, call=matching_round.call)
    MatchRun.objects.filter(pk=run.pk).update(status="running", progress=60)
    body = text(client_for(ministry).get(run_url(run)))
    assert '<progress id="run-progress-bar" max="100" value="60"' in body
    assert "Running" in body
    assert "reload it" in body
    assert f'data-progress-url="{run_url(run, "run-progress")}"' in body
    assert "js/run-progress.js" in body
    assert 'id="publish-run"' not in body and 'id="run-results"' not in body


def test_the_progress_endpoint_answers_status_progress_and_error(client_for, ministry, matching_round,
                                                                 run):
    client = client_for(ministry)
    response = client.get(run_url(run, "run-progress"))
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"status": "succeeded", "progress": 100, "error": ""}
    queued = services.match_run_create(actor=ministry, call=matching_round.call)
    assert client.get(run_url(queued, "run-progress")).json() == {"status": "queued", "progress": 0,
                                                                  "error": ""}
    MatchRun.objects.filter(pk=queued.pk).update(status="failed", progress=15, error="MemoryError: x")
    assert client.get(run_url(queued, "run-progress")).json() == {"status": "failed", "progress": 15,
                                                                  "error": "MemoryError: x"}


def test_a_failed_run_shows_its_error_and_runs_again_with_the_same_parameters(
        client_for, ministry, matching_round, django_capture_on_commit_callbacks):
    failed = services.match_run_create(actor=ministry, call=matching_round.call,
                                       weights={"area": 0.5, "interest": 0.5}, k=7, m=9)
    MatchRun.objects.filter(pk=failed.pk).update(status="failed", error="ValueError: <broken>")
    client = client_for(ministry)
    body = client.get(run_url(failed)).content.decode()
    assert "ValueError: &lt;broken&gt;" in body
    assert 'id="run-again"' in body and 'id="publish-run"' not in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(run_url(failed, "run-again"))
    again = MatchRun.objects.exclude(pk=failed.pk).get()
    assert response.url == run_url(again)
    assert (again.call, again.weights, again.k, again.m) == (failed.call, failed.weights, 7, 9)
    assert again.status == "succeeded"
    assert "A new run with the same parameters was started." in text(client.get(response.url))


def test_the_summary_shows_every_figure(client_for, ministry, run, university):
    MatchRun.objects.filter(pk=run.pk).update(summary={
        **run.summary, "objective": 2.34567, "greedy_objective": 2.1, "blocking_pairs": 3,
        "greedy_blocking_pairs": 0, "over_places": [str(university.university.public_id)]})
    body = text(client_for(ministry).get(run_url(run)))
    summary = body.split('id="run-summary"')[1].split('id="run-results"')[0]
    for figure in ["projects", "universities", "interests", "candidates", "proposed"]:
        assert re.search(rf'id="figure-{figure}">{run.summary[figure]}<', summary), figure
    assert 'id="objective">2.3457<' in summary and 'id="greedy-objective">2.1000<' in summary
    assert 'id="blocking-pairs">3<' in summary and 'id="greedy-blocking-pairs">0<' in summary
    assert "Projects fully served" in summary and "Universities given at least one introduction" in summary
    assert SEU in summary.split('id="over-places"')[1]
    for stage in ["Load the call", "Score and choose candidates", "Choose the introductions",
                  "Write the results"]:
        assert stage in summary


def test_a_long_list_of_universities_over_their_places_is_cut_short(client_for, ministry, run):
    universities = [UniversityFactory(name=f"University {i:02d}") for i in range(25)]
    MatchRun.objects.filter(pk=run.pk).update(summary={
        **run.summary, "over_places": [str(u.public_id) for u in universities]})
    body = text(client_for(ministry).get(run_url(run)))
    over = body.split('id="over-places"')[1].split("</section>")[0]
    assert 'id="over-places-count">25<' in over
    assert "University 19" in over and "University 20" not in over
    assert "… and 5 more universities." in over


def test_publishing_makes_the_results_visible_once(client_for, ministry, run):
    client = client_for(ministry)
    response = client.post(run_url(run, "run-publish"), follow=True)
    run.refresh_from_db()
    assert run.published_at is not None
    body = text(response)
    assert "The results were published" in body
    assert 'id="publish-run"' not in body and "Published on" in body
    response = client.post(run_url(run, "run-publish"), follow=True)
    assert "Only a succeeded run that is not yet published can be published." in text(response)


def test_a_run_that_has_not_succeeded_cannot_be_published(client_for, ministry, matching_round):
    queued = services.match_run_create(actor=ministry, call=matching_round.call)
    response = client_for(ministry).post(run_url(queued, "run-publish"), follow=True)
    assert "Only a succeeded run" in text(response)
    queued.refresh_from_db()
    assert queued.published_at is None


# --- a run's explanations: quality, capacity, mutual interest, reasons, coverage ----------------

def summary_of(response) -> str:
    return text(response).split('id="run-summary"')[1].split('id="run-results"')[0]


def test_the_run_page_explains_the_quality_of_its_choice(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(bound=2.5, gap=0.0123)
    response = client_for(ministry).get(run_url(run))
    summary = summary_of(response)
    assert "Quality of this choice: within 1.23 % of the best total possible (upper bound 2.5000)." \
        in summary
    assert "No choice of introductions that fits the capacities can total more than the upper " \
        "bound" in summary
    assert "time limit" not in summary
    assert "The total score of the proposed introductions: the sum of their scores." in summary
    assert "A university and a project not introduced to each other that would both rather be" \
        in summary
    body = text(response)
    params = body.split('id="run-params"')[1].split("</dl>")[0]
    assert "the best 20 universities of each project, the best 50 projects of each university" \
        in params
    assert 'id="run-floor">0.10' in params and "except a mutual-interest pair" in params
    assert "optimised with the HiGHS solver, which also proves the upper bound" in params
    assert run.solver in params
    for jargon in ["OR-Tools", "min-cost", "minimum-cost", "numpy scoring"]:
        assert jargon not in body


def test_a_run_stopped_at_its_time_limit_says_so(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(summary={**run.summary, "time_limited": True})
    summary = summary_of(client_for(ministry).get(run_url(run)))
    assert "The solver stopped at its time limit: this is the best choice it had found by then." \
        in summary


def test_no_university_is_over_its_places_and_every_proposal_fits(client_for, ministry, run):
    assert run.summary["over_places"] == []
    over = summary_of(client_for(ministry).get(run_url(run))).split('id="over-places"')[1]
    assert "Universities over their student places" in over
    assert 'id="over-places-count">0<' in over
    assert "Every proposed introduction fits all three capacities" in over


def test_capacity_held_by_earlier_introductions_is_counted(
        client_for, ministry, matching_round, university, django_capture_on_commit_callbacks):
    IntroductionFactory(proposal=matching_round.projects.vision, university=university.university,
                        places=20)
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    held = summary_of(client_for(ministry).get(run_url(run))).split('id="held-capacity"')[1]
    assert 'id="held-universities">1<' in held
    assert "1 university held capacity from introductions already sent or accepted (student " \
        "places held: 20; project slots held: 1)." in held


def test_mutual_interest_pairs_are_counted_with_why_the_rest_were_not_proposed(client_for, ministry,
                                                                                run):
    MatchRun.objects.filter(pk=run.pk).update(summary={**run.summary, "mutual": {
        "pairs": 4, "proposed": 2, "missed": 0,
        "not_proposed": {"project_full": 1, "places_taken": 1}}})
    mutual = summary_of(client_for(ministry).get(run_url(run))).split('id="mutual-interest"')[1]
    assert "4 mutual-interest pairs (the university applied and the employer welcomed it); " \
        "2 proposed." in mutual
    assert "The other 2 were not proposed because:" in mutual
    assert "<li>The project's partner places went to other universities: 1</li>" in mutual
    assert "<li>The university's student places of this type left are fewer than this project's " \
        "share: 1</li>" in mutual
    assert 'id="mutual-missed"' not in mutual


def test_a_mutual_interest_pair_left_out_without_a_reason_is_flagged(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(summary={**run.summary, "mutual": {
        "pairs": 2, "proposed": 0, "missed": 1, "not_proposed": {"slots_taken": 1}}})
    mutual = summary_of(client_for(ministry).get(run_url(run))).split('id="mutual-interest"')[1]
    assert "No reason found, although the capacities allowed it: 1 (please report this run)" \
        in mutual


def test_a_welcomed_interest_is_proposed_first(client_for, ministry, matching_round, other_university,
                                               django_capture_on_commit_callbacks):
    # Beihang has no vision strength (below the floor), but the employer welcomed its application.
    InterestFactory(proposal=matching_round.projects.vision, university=other_university.university,
                    response="welcome")
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    assert Candidate.objects.get(run=run, proposal=matching_round.projects.vision,
                                 university=other_university.university).proposed
    mutual = summary_of(client_for(ministry).get(run_url(run))).split('id="mutual-interest"')[1]
    assert "1 mutual-interest pair (the university applied and the employer welcomed it); " \
        "1 proposed." in mutual


def test_the_reasons_overview_counts_each_reason(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(summary={**run.summary, "reasons": {
        "slots_taken": 4, "below_floor": 7}})
    reasons = summary_of(client_for(ministry).get(run_url(run))).split('id="run-reasons"')[1]
    reasons = reasons.split("</table>")[0]
    assert "<caption>Why the other candidates were not proposed</caption>" in reasons
    assert '<th scope="col">Reason</th>' in reasons
    rows = re.findall(r'<tr id="reason-(\w+)"><th scope="row">([^<]+)</th><td class="num">(\d+)<',
                      reasons)
    assert rows == [("below_floor", "Its AI area fit is below the run's floor", "7"),
                    ("slots_taken", "The university's project slots of this type went to other "
                                    "projects", "4")]


@pytest.mark.parametrize("code, words", [
    ("all_held", "All capacity is already held: no project has a partner place left"),
    ("no_scores", "No pair scored above 0 with these weights."),
    ("nothing_fits", "No pair fits: every pair that scores above 0 is below the AI-fit floor"),
    ("no_candidates", "The run found no candidate"),
])
def test_a_run_that_proposes_nothing_says_why(client_for, ministry, run, code, words):
    MatchRun.objects.filter(pk=run.pk).update(summary={**run.summary, "proposed": 0,
                                                       "empty_because": code})
    summary = summary_of(client_for(ministry).get(run_url(run)))
    notice = summary.split('id="run-empty"')[1].split("</div>")[0]
    assert "This run proposes no introduction." in notice and words in notice


def test_a_run_whose_capacity_is_all_held_proposes_nothing_and_says_why(
        client_for, ministry, matching_round, university, other_university,
        django_capture_on_commit_callbacks):
    p = matching_round.projects
    for project, holder in [(p.vision, university), (p.language, university),
                            (p.language, other_university), (p.robots, other_university)]:
        IntroductionFactory(proposal=project, university=holder.university, places=20)
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    assert (run.summary["proposed"], run.summary["empty_because"]) == (0, "all_held")
    client = client_for(ministry)
    summary = summary_of(client.get(run_url(run)))
    assert "All capacity is already held" in summary.split('id="run-empty"')[1]
    assert "2 universities held capacity from introductions already sent or accepted (student " \
        "places held: 80; project slots held: 4)." in summary
    chinese = summary_of(client.get(run_url(run), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "本次匹配运行未产生推荐对接。" in chinese and "全部容量均已占满" in chinese


def test_a_run_that_proposes_some_has_no_empty_notice(client_for, ministry, run):
    assert 'id="run-empty"' not in summary_of(client_for(ministry).get(run_url(run)))


def coverage_table(summary: str, table: str) -> str:
    return summary.split(f'<table class="table coverage" id="{table}">')[1].split("</table>")[0]


def test_coverage_by_region_and_by_tier_sits_beside_the_greedy_choice(client_for, ministry, run):
    summary = summary_of(client_for(ministry).get(run_url(run)))
    regions = coverage_table(summary, "coverage-regions")
    assert "<caption>By region: universities reached and students placed by the proposed " \
        "introductions, beside the greedy choice (best score first within the same capacities)" \
        "</caption>" in regions
    assert '<th scope="col" rowspan="2">Region</th>' in regions
    assert '<th scope="colgroup" colspan="2" class="num">Greedy choice</th>' in regions
    rows = dict(re.findall(r'<tr id="coverage-regions-(\w+)"><th scope="row">[^<]+</th>((?:<td '
                           r'class="num">\d+</td>){5})</tr>', regions))
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
    assert f'<td class="num">2</td><td class="num">2</td><td class="num">' \
        f'{run.summary["students_placed"]}</td>' in total


def test_the_run_page_in_chinese(client_for, ministry, run):
    MatchRun.objects.filter(pk=run.pk).update(bound=2.5, gap=0.0123,
                                              summary={**run.summary, "reasons": {"below_floor": 3}})
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


# --- a run's results ---------------------------------------------------------------------------

def group_titles(response) -> list[str]:
    return [unescape(t) for t in re.findall(
        r'<section class="result-group" id="(?:project|university)-[0-9a-f-]{36}">\s*'
        r'<h3>(?:<a href="[^"]+">)?([^<]+?)\s*(?:</a>|<span)', response.content.decode())]


def test_results_by_project_rank_each_projects_universities_with_their_components(
        client_for, ministry, run, matching_round):
    response = client_for(ministry).get(run_url(run))
    assert group_titles(response) == sorted([VISION, LANGUAGE, ROBOTS])
    body = text(response)
    vision = body.split(f">{VISION}</a>")[1].split('<section class="result-group"')[0]
    assert vision.index(SEU) < vision.index(BUAA)
    best = Candidate.objects.get(run=run, proposal=matching_round.projects.vision,
                                 university__name=SEU)
    assert best.rank == 1 and best.proposed
    row = vision.split(SEU)[1].split("</tr>")[0]
    assert f"<strong>{best.score:.3f}</strong>" in row
    assert f"{best.area_fit:.2f}" in row and "Area fit: " in row
    assert "Computer vision" in row
    assert "Proposed" in row


def test_results_by_university_and_the_proposed_introductions(client_for, ministry, run):
    client = client_for(ministry)
    response = client.get(run_url(run), {"view": "universities"})
    assert group_titles(response) == sorted([SEU, BUAA])
    response = client.get(run_url(run), {"view": "proposed"})
    proposed = Candidate.objects.filter(run=run, proposed=True).count()
    assert len(response.context["rows"]) == proposed
    assert all(row.candidate.proposed for row in response.context["rows"])
    assert f"{proposed} proposed introduction" in text(response)


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
    first = set_profile(UniversityFactory(name="甲大学", province="32"), {"nlp": 1.0, "cv": 0.9},
                        {INTERNSHIP: (100, 1), "directed_training": (100, 1)})
    second = set_profile(UniversityFactory(name="乙大学", province="32"), {"cv": 0.6},
                         {INTERNSHIP: (100, 1), "directed_training": (100, 1)})
    projects = SimpleNamespace(
        language=published(call=call, title="语言实习", areas={"nlp": 1}, host_province="32",
                           student_places=10, partners_sought=2),
        vision=published(call=call, title="视觉实习", areas={"cv": 1}, host_province="32",
                         student_places=10, partners_sought=2),
        training=published(call=call, title="视觉培养", project_type="directed_training",
                           areas={"cv": 1}, host_province="32", student_places=10,
                           partners_sought=1),
    )
    run = start_run(ministry, call, django_capture_on_commit_callbacks)
    return SimpleNamespace(run=run, first=first, second=second, projects=projects)


def row_of(body: str, group: str, name: str) -> str:
    return body.split(f'id="{group}"')[1].split(f"{name}<")[1].split("</tr>")[0]


def test_each_candidate_not_proposed_says_why_and_names_what_took_its_capacity(client_for, ministry,
                                                                               capacity_run):
    c = capacity_run
    reason = {(x.proposal_id, x.university_id): x.reason_code
              for x in Candidate.objects.filter(run=c.run)}
    p = c.projects
    assert reason == {(p.language.pk, c.first.pk): None, (p.language.pk, c.second.pk): "below_floor",
                      (p.vision.pk, c.first.pk): "slots_taken", (p.vision.pk, c.second.pk): None,
                      (p.training.pk, c.first.pk): None, (p.training.pk, c.second.pk): "project_full"}
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


def test_the_reasons_cost_one_query_a_page(client_for, ministry, capacity_run,
                                           django_assert_max_num_queries):
    client = client_for(ministry)
    with django_assert_max_num_queries(10):
        response = client.get(run_url(capacity_run.run))
    assert "Taken by" in text(response)


@pytest.mark.parametrize("query, expected", [
    ({"project": "客服"}, [LANGUAGE]),
    ({"university": "东南"}, sorted([VISION, LANGUAGE, ROBOTS])),
    ({"province": "44"}, [ROBOTS]),
    ({"area": "cv"}, [VISION]),
    ({"area": "nlp", "university": "航空"}, [LANGUAGE]),
    ({"project": "无此项目"}, []),
])
def test_the_results_filter_by_project_university_province_and_area(client_for, ministry, run, query,
                                                                    expected):
    response = client_for(ministry).get(run_url(run), query)
    assert response.status_code == 200
    assert group_titles(response) == expected
    if not expected:
        assert "No candidate matches these filters." in text(response)


def test_a_university_filter_keeps_only_that_universitys_rows(client_for, ministry, run):
    response = client_for(ministry).get(run_url(run), {"university": "东南"})
    for _project, rows, _size in response.context["groups"]:
        assert {row.candidate.university.name for row in rows} == {SEU}


def test_the_province_filter_matches_the_universitys_province_too(client_for, ministry, run):
    response = client_for(ministry).get(run_url(run), {"view": "universities", "province": "32"})
    assert SEU in group_titles(response)


@pytest.mark.parametrize("query", [{"province": "99"}, {"area": "quantum"}, {"view": "everything"},
                                   {"project": "x" * 101}])
def test_bad_result_filters_answer_400(client_for, ministry, run, query):
    response = client_for(ministry).get(run_url(run), query)
    assert response.status_code == 400
    assert "Some filters are not valid" in text(response)
    assert group_titles(response) == []


def test_the_results_escape_what_employers_and_universities_typed(client_for, ministry, matching_round,
                                                                  django_capture_on_commit_callbacks):
    published(call=matching_round.call, title="<script>alert(1)</script>", areas={"cv": 1})
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    body = client_for(ministry).get(run_url(run)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.fixture
def big_run(ministry, django_capture_on_commit_callbacks):
    """24 projects and 12 universities: more than a page of groups, more candidates than shown."""
    call = CallFactory(name="Big batch")
    areas = ["cv", "nlp", "ml", "robotics"]
    for i in range(24):
        published(call=call, title=f"Project {i:02d}", areas={areas[i % 4]: 1}, host_province="32")
    for i in range(12):
        set_profile(UniversityFactory(name=f"University {i:02d}"), {areas[i % 4]: 0.5 + i / 30},
                    {INTERNSHIP: (40, 3)})
    return start_run(ministry, call, django_capture_on_commit_callbacks, k=12, m=24)


@pytest.mark.parametrize("view", ["projects", "universities", "proposed"])
def test_the_run_page_reads_a_bounded_number_of_queries(client_for, ministry, big_run, view,
                                                        django_assert_max_num_queries):
    client = client_for(ministry)
    with django_assert_max_num_queries(10):
        response = client.get(run_url(big_run), {"view": view, "area": "", "page": "2"})
    assert response.status_code == 200


def test_groups_show_at_most_twenty_rows_keeping_the_proposed_ones(client_for, ministry, big_run):
    response = client_for(ministry).get(run_url(big_run), {"view": "universities"})
    page = response.context["page"]
    assert page.paginator.count == 12 and len(page.object_list) == 10
    for university, rows, size in response.context["groups"]:
        assert size == Candidate.objects.filter(run=big_run, university=university).count()
        assert len(rows) == min(size, 20)
        proposed = Candidate.objects.filter(run=big_run, university=university, proposed=True).count()
        assert sum(row.candidate.proposed for row in rows) == proposed
        assert [row.score for row in rows] == sorted((row.score for row in rows), reverse=True)
    assert "Showing 20 of 24 candidates" in text(response)


# --- what employers and universities see --------------------------------------------------------

def test_before_publication_employers_and_universities_see_nothing(client_for, employer, university,
                                                                   run):
    assert Candidate.objects.filter(run=run, proposed=True).exists()
    body = text(client_for(employer).get(MY_PROJECTS))
    assert VISION in body and LANGUAGE in body
    assert body.count("The matching results of this call round are not published yet.") == 2
    assert SEU not in body and BUAA not in body
    response = client_for(university).get(MY_PROPOSALS)
    assert response.context["rows"] == []
    assert "No matching results about your university have been published yet." in text(response)


def test_after_publication_an_employer_sees_its_projects_proposed_universities(
        client_for, employer, ministry, run, matching_round):
    publish(run, ministry)
    body = text(client_for(employer).get(MY_PROJECTS))
    assert "not published yet" not in body
    assert ROBOTS not in body  # another employer's project
    proposed = Candidate.objects.filter(run=run, proposed=True, proposal__employer=employer.employer)
    for candidate in proposed.select_related("proposal", "university"):
        section = body.split(f">{candidate.proposal.title}</a>")[1].split('<section class="result-group"')[0]
        assert candidate.university.name in section
        assert f"<strong>{candidate.score:.3f}</strong>" in section
    detail = text(client_for(employer).get(
        reverse("matching:my-project", args=[matching_round.projects.vision.public_id])))
    seu = Candidate.objects.get(run=run, proposal=matching_round.projects.vision, university__name=SEU)
    assert SEU in detail and "Why it fits" in detail
    assert f"{seu.area_fit:.2f} × 0.60" in detail
    assert "Contributing most: <strong>Computer vision</strong>" in detail


def test_after_publication_a_university_sees_the_projects_proposed_to_it(
        client_for, university, other_university, ministry, run):
    publish(run, ministry)
    response = client_for(university).get(MY_PROPOSALS)
    mine = Candidate.objects.filter(run=run, proposed=True, university=university.university)
    assert {row.candidate.pk for row in response.context["rows"]} == set(mine.values_list("pk", flat=True))
    assert mine.exists()
    assert VISION in text(response)
    theirs = {row.candidate.pk for row in client_for(other_university).get(MY_PROPOSALS).context["rows"]}
    assert theirs.isdisjoint(mine.values_list("pk", flat=True))


def test_only_the_latest_published_run_of_a_call_counts(client_for, university, ministry, run,
                                                        matching_round, django_capture_on_commit_callbacks):
    publish(run, ministry)
    newer = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks, k=1, m=1,
                      weights={"area": 0, "region": 1, "capacity": 0, "interest": 0})
    client = client_for(university)
    assert {row.candidate.run_id for row in client.get(MY_PROPOSALS).context["rows"]} == {run.pk}
    publish(newer, ministry)
    assert {row.candidate.run_id for row in client.get(MY_PROPOSALS).context["rows"]} <= {newer.pk}


def test_an_unpublished_or_failed_newer_run_leaves_the_published_results(client_for, employer, ministry,
                                                                        run, matching_round):
    publish(run, ministry)
    MatchRun.objects.create(call=matching_round.call, weights=run.weights, status="failed",
                            published_at=timezone.now())
    response = client_for(employer).get(MY_PROJECTS)
    runs = {row.candidate.run_id for _p, _pub, rows in response.context["projects"] for row in rows}
    assert runs == {run.pk}


def test_the_published_pages_read_a_bounded_number_of_queries(
        client_for, ministry, big_run, django_assert_max_num_queries):
    publish(big_run, ministry)
    candidate = Candidate.objects.filter(run=big_run, proposed=True).select_related("university").first()
    employer = EmployerUserFactory()
    ProposalFactory._meta.model.objects.update(employer=employer.employer)
    university = UniversityUserFactory(university=candidate.university)
    for user, url in [(employer, MY_PROJECTS), (university, MY_PROPOSALS),
                      (employer, reverse("matching:my-project", args=[candidate.proposal.public_id]))]:
        client = client_for(user)
        with django_assert_max_num_queries(10):
            response = client.get(url)
        assert response.status_code == 200
        assert "Why it fits" in text(response) or "Proposed universities" in text(response)
