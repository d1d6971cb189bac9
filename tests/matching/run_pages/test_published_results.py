"""What employers and universities see of a call's matching once its results are published:
their own proposed counterparts, nothing before, and only the latest published run."""

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Candidate, MatchRun
from tests.factories import (
    EmployerUserFactory,
    ProposalFactory,
    UniversityUserFactory,
)

from .pages import BUAA, LANGUAGE, MY_PROJECTS, MY_PROPOSALS, ROBOTS, SEU, VISION, publish, start_run, text

pytestmark = pytest.mark.django_db


# --- what employers and universities see --------------------------------------------------------


def test_before_publication_employers_and_universities_see_nothing(client_for, employer, university, run):
    assert Candidate.objects.filter(run=run, proposed=True).exists()
    body = text(client_for(employer).get(MY_PROJECTS))
    assert VISION in body and LANGUAGE in body
    assert body.count("The matching results of this call round are not published yet.") == 2
    assert SEU not in body and BUAA not in body
    response = client_for(university).get(MY_PROPOSALS)
    assert response.context["rows"] == []
    assert "No matching results about your university have been published yet." in text(response)


def test_after_publication_an_employer_sees_its_projects_proposed_universities(
    client_for, employer, ministry, run, matching_round
):
    publish(run, ministry)
    body = text(client_for(employer).get(MY_PROJECTS))
    assert "not published yet" not in body
    assert ROBOTS not in body  # another employer's project
    proposed = Candidate.objects.filter(run=run, proposed=True, proposal__employer=employer.employer)
    for candidate in proposed.select_related("proposal", "university"):
        section = body.split(f">{candidate.proposal.title}</a>")[1].split('<section class="result-group"')[0]
        assert candidate.university.name in section
        assert f"<strong>{candidate.score:.3f}</strong>" in section
    detail = text(
        client_for(employer).get(
            reverse("matching:my-project", args=[matching_round.projects.vision.public_id])
        )
    )
    seu = Candidate.objects.get(run=run, proposal=matching_round.projects.vision, university__name=SEU)
    assert SEU in detail and "Why it fits" in detail
    assert f"{seu.area_fit:.2f} × 0.60" in detail
    assert "Contributing most: <strong>Computer vision</strong>" in detail


def test_after_publication_a_university_sees_the_projects_proposed_to_it(
    client_for, university, other_university, ministry, run
):
    publish(run, ministry)
    response = client_for(university).get(MY_PROPOSALS)
    mine = Candidate.objects.filter(run=run, proposed=True, university=university.university)
    assert {row.candidate.pk for row in response.context["rows"]} == set(mine.values_list("pk", flat=True))
    assert mine.exists()
    assert VISION in text(response)
    theirs = {row.candidate.pk for row in client_for(other_university).get(MY_PROPOSALS).context["rows"]}
    assert theirs.isdisjoint(mine.values_list("pk", flat=True))


def test_only_the_latest_published_run_of_a_call_counts(
    client_for, university, ministry, run, matching_round, django_capture_on_commit_callbacks
):
    publish(run, ministry)
    newer = start_run(
        ministry,
        matching_round.call,
        django_capture_on_commit_callbacks,
        k=1,
        m=1,
        weights={"area": 0, "region": 1, "capacity": 0, "interest": 0},
    )
    client = client_for(university)
    assert {row.candidate.run_id for row in client.get(MY_PROPOSALS).context["rows"]} == {run.pk}
    publish(newer, ministry)
    assert {row.candidate.run_id for row in client.get(MY_PROPOSALS).context["rows"]} <= {newer.pk}


def test_an_unpublished_or_failed_newer_run_leaves_the_published_results(
    client_for, employer, ministry, run, matching_round
):
    publish(run, ministry)
    MatchRun.objects.create(
        call=matching_round.call, weights=run.weights, status="failed", published_at=timezone.now()
    )
    response = client_for(employer).get(MY_PROJECTS)
    runs = {row.candidate.run_id for _p, _pub, rows in response.context["projects"] for row in rows}
    assert runs == {run.pk}


def test_the_published_pages_read_a_bounded_number_of_queries(
    client_for, ministry, big_run, django_assert_max_num_queries
):
    publish(big_run, ministry)
    candidate = Candidate.objects.filter(run=big_run, proposed=True).select_related("university").first()
    employer = EmployerUserFactory()
    ProposalFactory._meta.model.objects.update(employer=employer.employer)
    university = UniversityUserFactory(university=candidate.university)
    for user, url in [
        (employer, MY_PROJECTS),
        (university, MY_PROPOSALS),
        (employer, reverse("matching:my-project", args=[candidate.proposal.public_id])),
    ]:
        client = client_for(user)
        with django_assert_max_num_queries(10):
            response = client.get(url)
        assert response.status_code == 200
        assert "Why it fits" in text(response) or "Proposed universities" in text(response)
