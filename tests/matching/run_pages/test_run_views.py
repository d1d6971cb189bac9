"""Ministry staff's matching pages: who may open them, the start form and its bad input, the run
history, a run's progress, failure, summary and publication, and its results with their
filters and query-count bounds."""

import re
from html import unescape

import pytest
from django.urls import reverse

from matching import services
from matching.models import Candidate, MatchRun
from tests.factories import (
    CallFactory,
    UniversityFactory,
    UniversityUserFactory,
)

from .pages import (
    BUAA,
    LANGUAGE,
    LOGIN,
    MY_PROJECTS,
    MY_PROPOSALS,
    ROBOTS,
    RUNS,
    SEU,
    VISION,
    publish,
    published,
    run_url,
    start_run,
    text,
)

pytestmark = pytest.mark.django_db


# --- who may open the pages -------------------------------------------------------------------

STAFF_GETS = ["run-list", "run-detail", "run-progress"]


def staff_url(name, run) -> str:
    return RUNS if name == "run-list" else run_url(run, name)


@pytest.mark.parametrize("name", STAFF_GETS)
def test_ministry_staff_open_the_matching_pages(client_for, ministry, run, name):
    assert client_for(ministry).get(staff_url(name, run)).status_code == 200


@pytest.mark.parametrize("name", STAFF_GETS)
@pytest.mark.parametrize("persona", ["employer", "university", "pending_employer"])
def test_employers_and_universities_may_not_open_the_matching_pages(client_for, request, run, persona, name):
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
    client_for, request, url, allowed, persona
):
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


def test_another_employers_project_is_404(
    client_for, other_employer, university, ministry, run, matching_round
):
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
    data = {
        "call": for_call.slug,
        "area": "0.6",
        "capacity": "0.15",
        "region": "0.15",
        "interest": "0.1",
        "k": "20",
        "m": "50",
    }
    data.update(overrides)
    return data


def test_the_form_offers_the_calls_and_the_default_parameters(client_for, ministry, matching_round):
    CallFactory(name="Empty batch", slug="empty-batch")
    body = text(client_for(ministry).get(RUNS))
    assert f'<option value="{matching_round.call.slug}"' in body
    assert "2027 AI batch (3 published projects)" in body
    assert "Empty batch (0 published projects)" in body
    for name, value in [
        ("area", "0.6"),
        ("capacity", "0.15"),
        ("region", "0.15"),
        ("interest", "0.1"),
        ("k", "20"),
        ("m", "50"),
        ("min_area_fit", "0.1"),
    ]:
        assert re.search(rf'name="{name}" value="{re.escape(value)}"', body), name
    assert "No matching run yet." in body


def test_staff_start_a_run_that_completes_within_the_request(
    client_for, ministry, matching_round, django_capture_on_commit_callbacks
):
    client = client_for(ministry)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, form_data(matching_round.call, area="0.7", interest="0", k="5", m="10"))
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


@pytest.mark.parametrize(
    "overrides, field",
    [
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
    ],
)
def test_bad_parameters_are_field_errors_and_start_nothing(
    client_for, ministry, matching_round, overrides, field
):
    response = client_for(ministry).post(RUNS, form_data(matching_round.call, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert not MatchRun.objects.exists()


def test_an_out_of_range_floor_says_why_in_both_languages(client_for, ministry, matching_round):
    client = client_for(ministry)
    response = client.post(RUNS, form_data(matching_round.call, min_area_fit="1.5"))
    assert response.context["form"].errors["min_area_fit"] == [
        "Ensure this value is less than or equal to 1."
    ]
    body = text(
        client.post(RUNS, form_data(matching_round.call, min_area_fit="1.5"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    )
    assert "AI 领域匹配度下限" in body and "确保该值小于或等于1。" in body
    assert not MatchRun.objects.exists()


def test_staff_set_the_ai_fit_floor_and_a_rerun_keeps_it(
    client_for, ministry, matching_round, django_capture_on_commit_callbacks
):
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
    response = client_for(ministry).post(
        RUNS, form_data(matching_round.call, area="0", capacity="0", region="0", interest="0")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert all(
        errors[name] == ["The weights must not all be 0."]
        for name in ("area", "capacity", "region", "interest")
    )
    assert not MatchRun.objects.exists()


def test_missing_parameters_are_required(client_for, ministry, matching_round):
    response = client_for(ministry).post(RUNS, {})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        "call",
        "area",
        "capacity",
        "region",
        "interest",
        "k",
        "m",
    }
    assert not MatchRun.objects.exists()


def test_a_call_without_projects_gives_an_empty_succeeded_run(
    client_for, ministry, django_capture_on_commit_callbacks
):
    call = CallFactory(name="Empty batch")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ministry).post(RUNS, form_data(call))
    run = MatchRun.objects.get()
    assert run.status == "succeeded"
    body = text(client_for(ministry).get(response.url))
    assert "This run found no candidate" in body


# --- the run history --------------------------------------------------------------------------


def test_the_history_lists_every_run_newest_first(
    client_for, ministry, run, matching_round, django_capture_on_commit_callbacks
):
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


def test_the_history_is_paginated_with_bounded_queries(
    client_for, ministry, matching_round, django_assert_max_num_queries
):
    for _ in range(30):
        MatchRun.objects.create(
            call=matching_round.call,
            created_by=ministry,
            weights=services.parse_weights(None),
            status="succeeded",
            progress=100,
            summary={"proposed": 3, "candidates": 6},
        )
    client = client_for(ministry)
    with django_assert_max_num_queries(11):  # 10, and the staff member's second factor
        response = client.get(RUNS)
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 25
    assert client.get(RUNS, {"page": "2"}).status_code == 200


# --- a run's page: progress, failure, publication ---------------------------------------------


def test_a_queued_run_shows_a_progress_bar_that_works_without_javascript(
    client_for, ministry, matching_round
):
    run = services.match_run_create(actor=ministry, call=matching_round.call)
    MatchRun.objects.filter(pk=run.pk).update(status="running", progress=60)
    body = text(client_for(ministry).get(run_url(run)))
    assert '<progress id="run-progress-bar" max="100" value="60"' in body
    assert "Running" in body
    assert "reload it" in body
    assert f'data-progress-url="{run_url(run, "run-progress")}"' in body
    assert "js/run-progress.js" in body
    assert 'id="publish-run"' not in body and 'id="run-results"' not in body


def test_the_progress_endpoint_answers_status_progress_and_error(client_for, ministry, matching_round, run):
    client = client_for(ministry)
    response = client.get(run_url(run, "run-progress"))
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"status": "succeeded", "progress": 100, "error": ""}
    queued = services.match_run_create(actor=ministry, call=matching_round.call)
    assert client.get(run_url(queued, "run-progress")).json() == {
        "status": "queued",
        "progress": 0,
        "error": "",
    }
    MatchRun.objects.filter(pk=queued.pk).update(status="failed", progress=15, error="MemoryError: x")
    assert client.get(run_url(queued, "run-progress")).json() == {
        "status": "failed",
        "progress": 15,
        "error": "MemoryError: x",
    }


def test_a_failed_run_shows_its_error_and_runs_again_with_the_same_parameters(
    client_for, ministry, matching_round, django_capture_on_commit_callbacks
):
    failed = services.match_run_create(
        actor=ministry, call=matching_round.call, weights={"area": 0.5, "interest": 0.5}, k=7, m=9
    )
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
    MatchRun.objects.filter(pk=run.pk).update(
        summary={
            **run.summary,
            "objective": 2.34567,
            "greedy_objective": 2.1,
            "blocking_pairs": 3,
            "greedy_blocking_pairs": 0,
            "over_places": [str(university.university.public_id)],
        }
    )
    body = text(client_for(ministry).get(run_url(run)))
    summary = body.split('id="run-summary"')[1].split('id="run-results"')[0]
    for figure in ["projects", "universities", "interests", "candidates", "proposed"]:
        assert re.search(rf'id="figure-{figure}">{run.summary[figure]}<', summary), figure
    assert 'id="objective">2.3457<' in summary and 'id="greedy-objective">2.1000<' in summary
    assert 'id="blocking-pairs">3<' in summary and 'id="greedy-blocking-pairs">0<' in summary
    assert "Projects fully served" in summary and "Universities given at least one introduction" in summary
    assert SEU in summary.split('id="over-places"')[1]
    for stage in [
        "Load the call",
        "Score and choose candidates",
        "Choose the introductions",
        "Write the results",
    ]:
        assert stage in summary


def test_a_long_list_of_universities_over_their_places_is_cut_short(client_for, ministry, run):
    universities = [UniversityFactory(name=f"University {i:02d}") for i in range(25)]
    MatchRun.objects.filter(pk=run.pk).update(
        summary={**run.summary, "over_places": [str(u.public_id) for u in universities]}
    )
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


# --- a run's results ---------------------------------------------------------------------------


def group_titles(response) -> list[str]:
    return [
        unescape(t)
        for t in re.findall(
            r'<section class="result-group" id="(?:project|university)-[0-9a-f-]{36}">\s*'
            r'<h3>(?:<a href="[^"]+">)?([^<]+?)\s*(?:</a>|<span)',
            response.content.decode(),
        )
    ]


def test_results_by_project_rank_each_projects_universities_with_their_components(
    client_for, ministry, run, matching_round
):
    response = client_for(ministry).get(run_url(run))
    assert group_titles(response) == sorted([VISION, LANGUAGE, ROBOTS])
    body = text(response)
    vision = body.split(f">{VISION}</a>")[1].split('<section class="result-group"')[0]
    assert vision.index(SEU) < vision.index(BUAA)
    best = Candidate.objects.get(run=run, proposal=matching_round.projects.vision, university__name=SEU)
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


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"project": "客服"}, [LANGUAGE]),
        ({"university": "东南"}, sorted([VISION, LANGUAGE, ROBOTS])),
        ({"province": "44"}, [ROBOTS]),
        ({"area": "cv"}, [VISION]),
        ({"area": "nlp", "university": "航空"}, [LANGUAGE]),
        ({"project": "无此项目"}, []),
    ],
)
def test_the_results_filter_by_project_university_province_and_area(
    client_for, ministry, run, query, expected
):
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


@pytest.mark.parametrize(
    "query", [{"province": "99"}, {"area": "quantum"}, {"view": "everything"}, {"project": "x" * 101}]
)
def test_bad_result_filters_answer_400(client_for, ministry, run, query):
    response = client_for(ministry).get(run_url(run), query)
    assert response.status_code == 400
    assert "Some filters are not valid" in text(response)
    assert group_titles(response) == []


def test_the_results_escape_what_employers_and_universities_typed(
    client_for, ministry, matching_round, django_capture_on_commit_callbacks
):
    published(call=matching_round.call, title="<script>alert(1)</script>", areas={"cv": 1})
    run = start_run(ministry, matching_round.call, django_capture_on_commit_callbacks)
    body = client_for(ministry).get(run_url(run)).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize("view", ["projects", "universities", "proposed"])
def test_the_run_page_reads_a_bounded_number_of_queries(
    client_for, ministry, big_run, view, django_assert_max_num_queries
):
    client = client_for(ministry)
    with django_assert_max_num_queries(11):  # 10, and the staff member's second factor
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
