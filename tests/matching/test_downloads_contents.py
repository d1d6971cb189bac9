"""Each CSV and XLSX export compared, row by row, with the database: proposals, interests, a
run's candidates and proposed introductions, introductions and outcome reports, each side
seeing its own; and every export's filters are its page's."""

import pytest

from matching.downloads import columns
from matching.models import Candidate, Introduction, OutcomeReport
from projects.models import Interest

from .downloads_rows import (
    by_title_and_rank,
    candidate_row,
    expected,
    interest_row,
    introduction_row,
    newest_first,
    outcome_row,
    proposal_row,
    proposals,
    read,
)
from .downloads_world import (  # noqa: F401
    BUAA,
    SEU,
    _english_fixture,
    url,
    world_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_ministry_proposals_follow_the_review_queue(client_for, ministry, world, kind):
    client = client_for(ministry)
    w = world
    rows = read(client.get(url("proposals"), {"format": kind}), kind)
    assert rows == expected(
        columns.PROPOSALS, proposal_row, proposals(w.mine.submitted, w.theirs.submitted), kind
    )
    everything = read(client.get(url("proposals"), {"format": kind, "status": "all"}), kind)
    assert everything == expected(
        columns.PROPOSALS, proposal_row, proposals(*vars(w.mine).values(), *vars(w.theirs).values()), kind
    )


def test_proposal_filters_are_the_review_queues(client_for, ministry, world):
    client, w = client_for(ministry), world

    def ids(**params):
        return {row[0] for row in read(client.get(url("proposals"), params), "csv")[1:]}

    assert ids(status="published") == {
        str(w.mine.published.public_id),
        str(w.mine.running.public_id),
        str(w.theirs.published.public_id),
    }
    assert ids(status="published", call="ai-2027-b") == {str(w.mine.published.public_id)}
    assert ids(status="all", project_type="directed_training") == {str(w.mine.published.public_id)}
    assert ids(status="all", province="44") == {str(w.theirs.published.public_id)}
    assert ids(status="all", area="nlp") == {str(w.mine.running.public_id)}
    assert ids(q="机器人") == {str(w.theirs.submitted.public_id)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_employer_exports_only_its_own_proposals(client_for, employer, world, kind):
    rows = read(client_for(employer).get(url("proposals"), {"format": kind}), kind)
    assert rows == expected(columns.PROPOSALS, proposal_row, proposals(*vars(world.mine).values()), kind)
    drafts = read(client_for(employer).get(url("proposals"), {"status": "draft"}), "csv")
    assert [row[0] for row in drafts[1:]] == [str(world.mine.draft.public_id)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_interests_are_each_sides_own(
    client_for, ministry, employer, other_employer, university, other_university, world, kind
):
    i = world.interests
    for user, items in [
        (ministry, [i.mine, i.other, i.theirs]),
        (employer, [i.mine, i.other]),
        (other_employer, [i.theirs]),
        (university, [i.mine, i.theirs]),
        (other_university, [i.other]),
    ]:
        rows = read(client_for(user).get(url("interests"), {"format": kind}), kind)
        assert rows == expected(columns.INTERESTS, interest_row, newest_first(Interest, *items), kind)


def test_interest_filters(client_for, ministry, world):
    client, i = client_for(ministry), world.interests

    def ids(**params):
        return {row[0] for row in read(client.get(url("interests"), params), "csv")[1:]}

    assert ids(project=world.mine.published.public_id) == {str(i.mine.public_id), str(i.other.public_id)}
    assert ids(call="ai-2027-a") == {str(i.theirs.public_id)}
    assert ids(status="introduced") == {str(i.other.public_id)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_run_candidates_and_proposed_introductions(client_for, ministry, world, kind):
    client, run = client_for(ministry), world.run
    rows = read(client.get(url("run-candidates", run), {"format": kind}), kind)
    assert rows == expected(
        columns.CANDIDATES, candidate_row, by_title_and_rank(Candidate.objects.filter(run=run)), kind
    )
    rows = read(client.get(url("run-proposed", run), {"format": kind}), kind)
    proposed = Candidate.objects.filter(run=run, proposed=True).order_by(
        "proposal__title", "proposal_id", "-score", "pk"
    )
    assert rows == expected(columns.CANDIDATES, candidate_row, proposed, kind)


def test_candidate_filters_are_the_run_pages(client_for, ministry, world):
    client, run, w = client_for(ministry), world.run, world

    def pairs(name="run-candidates", **params):
        return {(row[1], row[6]) for row in read(client.get(url(name, run), params), "csv")[1:]}

    vision, service = w.theirs.published.title, w.mine.running.title
    assert pairs(project="导航") == {(vision, SEU), (vision, BUAA)}
    assert pairs(university="东南") == {(vision, SEU), (service, SEU)}
    assert pairs(province="11") == {(vision, BUAA), (service, BUAA)}
    assert pairs(area="nlp") == {(service, BUAA), (service, SEU)}
    assert pairs(proposed="1") == {(vision, SEU), (service, BUAA)}
    assert pairs(name="run-proposed", university="北京") == {(service, BUAA)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_introductions_are_each_sides_own_once_sent(
    client_for, ministry, employer, other_employer, university, other_university, world, kind
):
    i, r = world.intros, world.reports
    visible = {
        ministry: [i.sent, i.accepted, i.draft, r.theirs.introduction, r.mine.introduction],
        employer: [i.sent, r.mine.introduction],
        other_employer: [i.accepted, r.theirs.introduction],
        university: [i.sent, r.theirs.introduction],
        other_university: [i.accepted, r.mine.introduction],
    }
    for user, items in visible.items():
        rows = read(client_for(user).get(url("introductions"), {"format": kind}), kind)
        assert rows == expected(
            columns.INTRODUCTIONS, introduction_row, newest_first(Introduction, *items), kind
        )


def test_introduction_filters(client_for, ministry, employer, world):
    i, r = world.intros, world.reports

    def ids(user=ministry, **params):
        return {row[0] for row in read(client_for(user).get(url("introductions"), params), "csv")[1:]}

    assert ids(status="accepted") == {str(i.accepted.public_id)}
    assert ids(call="ai-2027-b") == {str(i.sent.public_id), str(i.draft.public_id)}
    assert ids(q=BUAA) == {
        str(i.accepted.public_id),
        str(i.draft.public_id),
        str(r.mine.introduction.public_id),
    }
    assert ids(province="44") == {str(i.accepted.public_id), str(r.theirs.introduction.public_id)}
    assert ids(employer, q=BUAA) == {str(r.mine.introduction.public_id)}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_outcome_reports_are_each_sides_own(
    client_for, ministry, employer, other_employer, university, other_university, world, kind
):
    r = world.reports
    for user, items in [
        (ministry, [r.theirs, r.mine]),
        (employer, [r.mine]),
        (other_employer, [r.theirs]),
        (university, [r.theirs]),
        (other_university, [r.mine]),
    ]:
        rows = read(client_for(user).get(url("outcomes"), {"format": kind}), kind)
        assert rows == expected(columns.OUTCOMES, outcome_row, newest_first(OutcomeReport, *items), kind)
    client = client_for(ministry)
    confirmed = read(client.get(url("outcomes"), {"status": "confirmed"}), "csv")
    assert [row[0] for row in confirmed[1:]] == [str(r.theirs.introduction.public_id)]
    assert len(read(client.get(url("outcomes"), {"call": "ai-2027-b"}), "csv")) == 1
