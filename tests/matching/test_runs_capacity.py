"""Matching runs under the three hard capacities (partner places, project slots, student places),
through the database: what a run proposes fits what is left after the call's introductions and
can be brokered to the end without a capacity refusal; the AI-fit floor and mutual interest
first; why each other candidate was not proposed; bad input and empty runs; the solver's time
limit, bound and gap."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.demo import DemoBuilder, DemoSizes
from accounts.models import University, UniversityCapacity, User
from matching import services
from matching.brokering.introductions import (
    introduction_create,
    introduction_respond,
    introduction_send,
    introductions_from_run,
    share_of,
)
from matching.models import Candidate, Introduction, MatchRun
from projects.demo import ProposalDemo
from projects.models import Call, Interest, Proposal
from tests.factories import (
    CallFactory,
    EmployerUserFactory,
    InterestFactory,
    UniversityFactory,
    UniversityUserFactory,
)
from tests.matching.conftest import set_profile
from tests.matching.rounds import published

pytestmark = pytest.mark.django_db

# Introductions that hold capacity against a run: accepted and later, and sent ones.
HOLDING = ["sent", "accepted", "signed", "in_progress", "completed"]
INTERNSHIP, DIRECTED = "internship_base", "directed_training"


def run_now(actor, call, **parameters) -> MatchRun:
    """Create and execute a run in this process (a worker would, once the create commits)."""
    run = services.match_run_create(actor=actor, call=call, **parameters)
    return services.match_run_execute(run.pk)


def contended_round() -> Call:
    """Four universities and six projects of two types whose best pairs, taken without regard
    to capacity, would overbook partners, slots and places alike."""
    call = CallFactory()
    for province, strengths, capacity in [
        ("32", {"cv": 0.9, "ml": 0.6}, {INTERNSHIP: (30, 2), DIRECTED: (20, 1)}),
        ("33", {"cv": 0.7, "nlp": 0.5}, {INTERNSHIP: (25, 3)}),
        ("11", {"nlp": 0.9, "ml": 0.4}, {INTERNSHIP: (10, 1), DIRECTED: (60, 2)}),
        ("44", {"cv": 0.5, "robotics": 0.8}, {INTERNSHIP: (40, 1), DIRECTED: (30, 3)}),
    ]:
        set_profile(UniversityFactory(province=province), strengths, capacity)
    for project_type, places, partners, province, areas in [
        (INTERNSHIP, 40, 2, "32", {"cv": 1}),
        (INTERNSHIP, 30, 1, "32", {"cv": 2, "ml": 1}),
        (INTERNSHIP, 20, 2, "11", {"nlp": 1}),
        (DIRECTED, 60, 3, "32", {"ml": 1}),
        (INTERNSHIP, 10, 1, "44", {"cv": 1, "robotics": 1}),
        (DIRECTED, 25, 2, "11", {"nlp": 1, "ml": 1}),
    ]:
        published(
            call,
            project_type=project_type,
            student_places=places,
            partners_sought=partners,
            host_province=province,
            areas=areas,
        )
    return call


def taken(run: MatchRun) -> tuple[Counter, Counter, Counter]:
    """Student places and project slots by (university, type), and partners by project, that
    the call's holding introductions and the run's proposed pairs take together."""
    places, slots, partners = Counter(), Counter(), Counter()
    held = Introduction.objects.filter(proposal__call=run.call, status__in=HOLDING)
    proposed = Candidate.objects.filter(run=run, proposed=True)
    rows = [
        *((i, i.places) for i in held.select_related("proposal")),
        *((c, share_of(c.proposal)) for c in proposed.select_related("proposal")),
    ]
    for pair, need in rows:
        key = (pair.university_id, pair.proposal.project_type)
        places[key] += need
        slots[key] += 1
        partners[pair.proposal_id] += 1
    return places, slots, partners


def assert_within_capacity(run: MatchRun) -> None:
    places, slots, partners = taken(run)
    offered = {
        (c.university_id, c.project_type): (c.places, c.projects) for c in UniversityCapacity.objects.all()
    }
    for key in places:
        assert places[key] <= offered.get(key, (0, 0))[0], key
        assert slots[key] <= offered.get(key, (0, 0))[1], key
    sought = dict(Proposal.objects.filter(pk__in=partners).values_list("pk", "partners_sought"))
    for proposal_id, n in partners.items():
        assert n <= sought[proposal_id], proposal_id
    assert run.summary["over_places"] == []


def reasons(run: MatchRun) -> dict[tuple[int, int], tuple[bool, int]]:
    """(proposal pk, university pk) → (proposed, reason)."""
    return {
        (p, u): (proposed, reason)
        for p, u, proposed, reason in Candidate.objects.filter(run=run).values_list(
            "proposal_id", "university_id", "proposed", "reason"
        )
    }


def members(introduction: Introduction) -> tuple[User, User]:
    """A verified member of each side of the introduction."""
    employer = User.objects.filter(employer=introduction.proposal.employer).first() or EmployerUserFactory(
        employer=introduction.proposal.employer
    )
    university = User.objects.filter(university=introduction.university).first() or UniversityUserFactory(
        university=introduction.university
    )
    return employer, university


def accept(introduction: Introduction) -> None:
    for side in members(introduction):
        introduction_respond(actor=side, introduction=introduction, accept=True)


@pytest.fixture
def contended(db):
    return contended_round()


# --- what a run proposes fits ----------------------------------------------------------------


def test_a_run_proposes_no_university_more_places_or_projects_and_no_project_more_partners(
    ministry, contended
):
    run = run_now(ministry, contended)
    assert run.status == MatchRun.Status.SUCCEEDED
    assert run.summary["proposed"] > 0
    assert_within_capacity(run)
    # The round is contended: pairs were left out for want of each capacity.
    assert {"project_full", "slots_taken", "places_taken"} <= set(run.summary["reasons"])


def test_every_candidate_not_proposed_carries_a_reason(ministry, contended):
    run = run_now(ministry, contended)
    rows = list(Candidate.objects.filter(run=run).values_list("proposed", "reason"))
    assert rows and all((reason == Candidate.Reason.NONE) == proposed for proposed, reason in rows)
    assert sum(run.summary["reasons"].values()) == sum(not proposed for proposed, _ in rows)


def test_every_proposed_pair_can_be_introduced_sent_and_accepted_by_both_sides(ministry, contended):
    run = run_now(ministry, contended)
    assert introductions_from_run(actor=ministry, run=run) == run.summary["proposed"]
    introductions = list(Introduction.objects.filter(candidate__run=run).order_by("pk"))
    for introduction in introductions:
        introduction_send(actor=ministry, introduction=introduction)
    for introduction in introductions:
        accept(introduction)
    assert set(Introduction.objects.filter(candidate__run=run).values_list("status", flat=True)) == {
        "accepted"
    }


def best_total(run: MatchRun) -> float:
    """The best total score of any choice of the run's eligible candidates (scoring above 0, at
    or above the floor) within the three capacities, by exhaustive search: for small rounds."""
    rows = sorted(
        Candidate.objects.filter(run=run, score__gt=0, area_fit__gte=run.min_area_fit).select_related(
            "proposal"
        ),
        key=lambda c: -c.score,
    )
    left = {
        (c.university_id, c.project_type): [c.places, c.projects] for c in UniversityCapacity.objects.all()
    }
    partners = dict(Proposal.objects.filter(call=run.call).values_list("pk", "partners_sought"))
    best = 0.0

    def search(i: int, total: float) -> None:
        nonlocal best
        if i == len(rows) or total + sum(c.score for c in rows[i:]) <= best:
            best = max(best, total)
            return
        pair, need = rows[i], share_of(rows[i].proposal)
        room = left[pair.university_id, pair.proposal.project_type]
        if partners[pair.proposal_id] > 0 and room[1] > 0 and room[0] >= need:
            partners[pair.proposal_id] -= 1
            room[0], room[1] = room[0] - need, room[1] - 1
            search(i + 1, total + pair.score)
            partners[pair.proposal_id] += 1
            room[0], room[1] = room[0] + need, room[1] + 1
        search(i + 1, total)

    search(0, 0.0)
    return best


def test_on_a_small_round_the_run_reaches_the_best_total_within_the_capacities(ministry, contended):
    run = run_now(ministry, contended)
    best = best_total(run)
    assert run.summary["objective"] == pytest.approx(best, abs=1e-4)
    assert run.bound >= best - 1e-4


# --- a re-run honours what introductions hold --------------------------------------------------


def test_a_rerun_proposes_only_what_introductions_left_and_never_an_introduced_pair(ministry, contended):
    call = contended
    first = run_now(ministry, call)
    proposed = list(
        Candidate.objects.filter(run=first, proposed=True)
        .select_related("proposal", "university")
        .order_by("proposal_id", "rank")
    )
    assert len(proposed) >= 4
    made = [
        introduction_create(actor=ministry, proposal=c.proposal, university=c.university, candidate=c)
        for c in proposed[:4]
    ]
    for introduction in made:
        introduction_send(actor=ministry, introduction=introduction)
    accepted, still_sent, declined = made[:2], made[2], made[3]
    for introduction in accepted:
        accept(introduction)
    employer, _university = members(declined)
    introduction_respond(actor=employer, introduction=declined, accept=False, reason="not_our_area")

    second = run_now(ministry, call)
    assert second.status == MatchRun.Status.SUCCEEDED and second.summary["proposed"] > 0
    assert_within_capacity(second)  # the accepted and the sent ones counted in
    found = reasons(second)
    introduced = {(i.proposal_id, i.university_id) for i in made}
    assert not introduced & {pair for pair, (chosen, _) in found.items() if chosen}
    # The declined pair holds nothing, so it is still a candidate, but not to be proposed again.
    assert found[declined.proposal_id, declined.university_id] == (False, Candidate.Reason.INTRODUCED)
    assert {found[pair] for pair in introduced & set(found)} == {(False, Candidate.Reason.INTRODUCED)}
    assert second.summary["reasons"]["introduced"] == len(introduced & set(found))

    public = dict(University.objects.values_list("pk", "public_id"))
    held: dict = {}
    for introduction in [*accepted, still_sent]:
        by_type = held.setdefault(str(public[introduction.university_id]), {})
        figures = by_type.setdefault(introduction.proposal.project_type, {"places": 0, "projects": 0})
        figures["places"] += introduction.places
        figures["projects"] += 1
    assert second.summary["held"] == held


# --- the AI-fit floor and mutual interest ------------------------------------------------------


@pytest.fixture
def off_topic(db):
    """A computer-vision university and a language project in its own province: area fit 0,
    yet a score of .3 from capacity and region."""
    call = CallFactory()
    university = set_profile(UniversityFactory(province="32"), {"cv": 0.9}, {INTERNSHIP: (100, 5)})
    project = published(
        call,
        project_type=INTERNSHIP,
        student_places=20,
        partners_sought=1,
        host_province="32",
        areas={"nlp": 1},
    )
    return call, project, university


def test_a_pair_below_the_floor_is_a_candidate_never_proposed(ministry, off_topic):
    call, project, university = off_topic
    run = run_now(ministry, call)
    candidate = Candidate.objects.get(run=run, proposal=project, university=university)
    assert candidate.area_fit < run.min_area_fit == 0.10 and candidate.score > 0
    assert (candidate.proposed, candidate.reason) == (False, Candidate.Reason.BELOW_FLOOR)
    assert run.summary["reasons"] == {"below_floor": 1}
    assert run.summary["empty_because"] == "nothing_fits"
    # The floor is what keeps it out.
    assert Candidate.objects.get(run=run_now(ministry, call, min_area_fit=0.0)).proposed


def test_a_pair_below_the_floor_is_proposed_when_the_interest_is_mutual(ministry, off_topic):
    call, project, university = off_topic
    interest = InterestFactory(proposal=project, university=university)
    unanswered = Candidate.objects.get(run=run_now(ministry, call))
    assert (unanswered.proposed, unanswered.reason) == (False, Candidate.Reason.BELOW_FLOOR)

    Interest.objects.filter(pk=interest.pk).update(
        response=Interest.Response.WELCOME, responded_at=timezone.now()
    )
    run = run_now(ministry, call)
    mutual = Candidate.objects.get(run=run)
    assert (mutual.proposed, mutual.reason) == (True, Candidate.Reason.NONE)
    assert run.summary["mutual"] == {"pairs": 1, "proposed": 1, "missed": 0, "not_proposed": {}}


def test_a_mutual_pair_takes_the_slot_the_optimiser_alone_would_give_a_better_pair(ministry):
    """One internship slot; a perfect-fit project (.9) and an off-topic one far away whose
    university asked and whose employer welcomed it (.25)."""
    call = CallFactory()
    university = set_profile(UniversityFactory(province="32"), {"cv": 1.0}, {INTERNSHIP: (100, 1)})
    best = published(
        call,
        project_type=INTERNSHIP,
        student_places=20,
        partners_sought=1,
        host_province="32",
        areas={"cv": 1},
    )
    asked = published(
        call,
        project_type=INTERNSHIP,
        student_places=20,
        partners_sought=1,
        host_province="44",
        areas={"nlp": 1},
    )
    interest = InterestFactory(proposal=asked, university=university)

    alone = run_now(ministry, call)
    found = reasons(alone)
    assert found[best.pk, university.pk] == (True, Candidate.Reason.NONE)
    assert found[asked.pk, university.pk][0] is False

    Interest.objects.filter(pk=interest.pk).update(response=Interest.Response.WELCOME)
    run = run_now(ministry, call)
    scores = dict(Candidate.objects.filter(run=run).values_list("proposal_id", "score"))
    assert scores[best.pk] > scores[asked.pk] > 0
    found = reasons(run)
    assert found[asked.pk, university.pk] == (True, Candidate.Reason.NONE)
    assert found[best.pk, university.pk] == (False, Candidate.Reason.SLOTS_TAKEN)
    assert run.summary["mutual"]["missed"] == 0 and run.summary["mutual"]["proposed"] == 1
    assert_within_capacity(run)


# --- bad input and empty runs ------------------------------------------------------------------


@pytest.mark.parametrize("floor", [-0.1, 1.5, "x", True])
def test_a_floor_outside_0_to_1_is_refused_and_creates_no_run(ministry, contended, floor):
    with pytest.raises(ValidationError) as refused:
        services.match_run_create(actor=ministry, call=contended, min_area_fit=floor)
    assert "min_area_fit" in refused.value.message_dict
    assert not MatchRun.objects.exists()


def test_weights_that_make_every_score_0_give_an_empty_run_saying_so(ministry, contended):
    run = run_now(ministry, contended, weights={"area": 0, "capacity": 0, "region": 0, "interest": 1})
    assert run.status == MatchRun.Status.SUCCEEDED
    assert run.summary["candidates"] > 0 and run.summary["proposed"] == 0
    assert run.summary["empty_because"] == "no_scores"
    assert not Candidate.objects.filter(run=run, proposed=True).exists()


def held_round(ministry, places: int, projects: int):
    """One project of two partners (a share of 20), introduced to both its universities, each
    offering these internship places and slots, and accepted by both sides."""
    call = CallFactory()
    project = published(
        call,
        project_type=INTERNSHIP,
        student_places=40,
        partners_sought=2,
        host_province="32",
        areas={"cv": 1},
    )
    for province in ("32", "33"):
        university = set_profile(
            UniversityFactory(province=province), {"cv": 0.8}, {INTERNSHIP: (places, projects)}
        )
        introduction = introduction_create(actor=ministry, proposal=project, university=university)
        introduction_send(actor=ministry, introduction=introduction)
        accept(introduction)
    return call


def test_a_call_whose_partner_places_are_all_held_gives_an_empty_run_saying_so(ministry):
    run = run_now(ministry, held_round(ministry, places=40, projects=2))
    assert run.status == MatchRun.Status.SUCCEEDED and run.summary["proposed"] == 0
    assert run.summary["empty_because"] == "all_held"
    assert run.summary["reasons"] == {"introduced": 2}


def test_a_call_whose_student_places_are_all_held_gives_an_empty_run_saying_so(ministry):
    run = run_now(ministry, held_round(ministry, places=20, projects=1))
    assert run.status == MatchRun.Status.SUCCEEDED and run.summary["proposed"] == 0
    assert run.summary["empty_because"] == "all_held"


# --- the solver: time limit, bound and gap -----------------------------------------------------


def test_a_run_out_of_time_still_succeeds_with_a_choice_within_every_capacity(ministry, contended, settings):
    settings.MATCHING_TIME_LIMIT = 1e-9
    run = run_now(ministry, contended)
    assert run.status == MatchRun.Status.SUCCEEDED and run.summary["proposed"] > 0
    assert run.summary["time_limited"] is True
    assert_within_capacity(run)
    assert run.gap is not None and 0 <= run.gap <= 1
    assert run.bound >= run.summary["objective"] - 1e-4


@pytest.fixture
def seeded(db):
    """The demo builders at a moderate size: the open call's published projects against the
    verified universities, with the demo's interests."""
    builder = DemoBuilder(DemoSizes(employers=40, universities=120, seed=2026))
    builder.build()
    ProposalDemo(builder.rng, 600).build()
    return Call.objects.order_by("-year").first(), User.objects.get(username="ministry")


def test_a_seeded_round_is_within_3_percent_of_its_bound(seeded):
    call, ministry = seeded
    run = run_now(ministry, call)
    assert run.status == MatchRun.Status.SUCCEEDED and run.summary["proposed"] > 100
    assert run.bound >= run.summary["objective"] - 1e-4
    assert 0 <= run.gap <= 0.03
    assert_within_capacity(run)


def test_a_seeded_rerun_stays_within_what_introductions_in_every_status_left(seeded):
    """Half the first run's proposals get an introduction, in each status in turn: the holding
    ones take their capacity, every pair but the cancelled ones is never proposed again."""
    call, ministry = seeded
    first = run_now(ministry, call)
    statuses = [
        "accepted",
        "sent",
        "signed",
        "declined",
        "proposed",
        "expired",
        "cancelled",
        "in_progress",
        "completed",
    ]
    pairs = (
        Candidate.objects.filter(run=first, proposed=True)
        .select_related("proposal", "university")
        .order_by("pk")[::2]
    )
    Introduction.objects.bulk_create(
        Introduction(
            proposal=c.proposal,
            university=c.university,
            places=share_of(c.proposal),
            status=statuses[n % len(statuses)],
            broker=ministry,
        )
        for n, c in enumerate(pairs)
    )
    second = run_now(ministry, call)
    assert second.status == MatchRun.Status.SUCCEEDED and second.summary["proposed"] > 0
    assert_within_capacity(second)
    assert second.bound >= second.summary["objective"] - 1e-4
    found = reasons(second)
    never = {
        (p, u)
        for p, u in Introduction.objects.exclude(status="cancelled").values_list(
            "proposal_id", "university_id"
        )
    }
    assert never & set(found)
    assert {found[pair] for pair in never & set(found)} == {(False, Candidate.Reason.INTRODUCED)}
    cancelled = set(
        Introduction.objects.filter(status="cancelled").values_list("proposal_id", "university_id")
    )
    assert any(found.get(pair, (False, 0))[0] for pair in cancelled)
    holding = Introduction.objects.filter(status__in=HOLDING)
    assert len(second.summary["held"]) == holding.values("university").distinct().count()
