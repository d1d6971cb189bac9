"""Load a call round from the database into the engine's arrays."""

from dataclasses import dataclass

import numpy as np

from accounts.models import (
    FocusArea,
    ProjectType,
    University,
    UniversityCapacity,
    UniversityStrength,
    VerificationStatus,
)
from accounts.provinces import PROVINCES
from projects.models import Call, Interest, Proposal, ProposalArea
from projects.selectors import LIVE_INTEREST
from projects.workflow import Status

from .brokering.introductions import share
from .brokering.workflow import COUNTED, OPEN
from .brokering.workflow import Status as IntroductionStatus
from .engine.candidates import Round
from .models import Introduction

TYPES = list(ProjectType.values)
REGIONS = sorted({p.region for p in PROVINCES.values()})
# Introductions that hold capacity against a run: accepted and later, and sent ones awaiting
# their answers.
HOLDING = sorted(COUNTED | {IntroductionStatus.SENT})
# A pair with one of these is never proposed again by a run (staff may still introduce it by
# hand): it stands, or a side declined it or let it expire.
INTRODUCED = sorted(OPEN | {IntroductionStatus.DECLINED, IntroductionStatus.EXPIRED})


@dataclass
class LoadedRound:
    """The round's arrays for the engine: the universities' places and slots in `round` are
    what is left after the introductions that hold capacity (the totals beside them)."""

    round: Round
    project_ids: np.ndarray  # database ids, by engine index
    university_ids: np.ndarray
    areas: list[FocusArea]
    partners_left: np.ndarray  # (P,) partner places not held
    share: np.ndarray  # (P,) student places one partner takes
    places_total: np.ndarray  # (U, T) as the universities offer them
    slots_total: np.ndarray
    university_tier: np.ndarray  # (U,) tier codes
    mutual: np.ndarray  # sorted keys project × U + university of mutual-interest pairs
    introduced: np.ndarray  # sorted keys of pairs that have an introduction

    def keys(self, project: np.ndarray, university: np.ndarray) -> np.ndarray:
        return pair_keys(project, university, len(self.university_ids))


def pair_keys(project: np.ndarray, university: np.ndarray, universities: int) -> np.ndarray:
    """One int64 per (project, university) index pair, to look pairs up with np.isin."""
    return np.asarray(project, dtype=np.int64) * max(universities, 1) + university


def _province(code: str) -> tuple[int, int]:
    province = PROVINCES.get(code)
    return (int(code), REGIONS.index(province.region)) if province else (-1, -2)


def load_round(call: Call) -> LoadedRound:
    areas = list(FocusArea.objects.order_by("pk"))
    area_index = {a.pk: i for i, a in enumerate(areas)}
    parent = np.array([area_index.get(a.parent_id, -1) for a in areas], dtype=np.int64)

    projects = list(
        Proposal.objects.filter(call=call, status=Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "project_type", "student_places", "partners_sought", "host_province")
    )
    project_ids = np.array([p[0] for p in projects], dtype=np.int64)
    project_index = {pk: i for i, pk in enumerate(project_ids.tolist())}
    project_areas = np.zeros((len(projects), len(areas)), dtype=np.float32)
    for proposal_id, area_id, weight in ProposalArea.objects.filter(
        proposal__call=call, proposal__status=Status.PUBLISHED
    ).values_list("proposal_id", "area_id", "weight"):
        project_areas[project_index[proposal_id], area_index[area_id]] = weight
    project_place = np.array([_province(p[4]) for p in projects], dtype=np.int64).reshape(-1, 2)

    universities = list(
        University.objects.filter(status=VerificationStatus.VERIFIED)
        .order_by("pk")
        .values_list("pk", "province", "tier")
    )
    university_ids = np.array([u[0] for u in universities], dtype=np.int64)
    university_index = {pk: i for i, pk in enumerate(university_ids.tolist())}
    strengths = np.zeros((len(universities), len(areas)), dtype=np.float32)
    for university_id, area_id, weight in UniversityStrength.objects.filter(
        university__status=VerificationStatus.VERIFIED
    ).values_list("university_id", "area_id", "weight"):
        strengths[university_index[university_id], area_index[area_id]] = weight
    places = np.zeros((len(universities), len(TYPES)), dtype=np.int64)
    slots = np.zeros_like(places)
    for university_id, project_type, n_places, n_projects in UniversityCapacity.objects.filter(
        university__status=VerificationStatus.VERIFIED
    ).values_list("university_id", "project_type", "places", "projects"):
        places[university_index[university_id], TYPES.index(project_type)] = n_places
        slots[university_index[university_id], TYPES.index(project_type)] = n_projects
    university_place = np.array([_province(u[1]) for u in universities], dtype=np.int64).reshape(-1, 2)

    interests = Interest.objects.filter(
        proposal__call=call,
        proposal__status=Status.PUBLISHED,
        status__in=LIVE_INTEREST,
        university__status=VerificationStatus.VERIFIED,
    ).values_list("proposal_id", "university_id", "response")
    pairs = [
        (project_index[p], university_index[u], response == Interest.Response.WELCOME)
        for p, u, response in interests
    ]
    interest = np.array(pairs, dtype=np.int64).reshape(-1, 3)

    partners = np.array([p[3] or 1 for p in projects], dtype=np.int64)
    shares = np.array([share(p[2], p[3]) for p in projects], dtype=np.int64)
    partners_held, slots_held, places_held, introduced = _introductions(
        call, project_index, university_index, places.shape
    )

    round_ = Round(
        project_areas=project_areas,
        project_type=np.array([TYPES.index(p[1]) for p in projects], dtype=np.int64),
        project_places=np.array([p[2] or 0 for p in projects], dtype=np.int64),
        project_partners=partners,
        project_province=project_place[:, 0],
        project_region=project_place[:, 1],
        strengths=strengths,
        area_parent=parent,
        university_places=np.maximum(places - places_held, 0),
        university_slots=np.maximum(slots - slots_held, 0),
        university_province=university_place[:, 0],
        university_region=university_place[:, 1],
        interest_project=interest[:, 0],
        interest_university=interest[:, 1],
    )
    return LoadedRound(
        round=round_,
        project_ids=project_ids,
        university_ids=university_ids,
        areas=areas,
        partners_left=np.maximum(partners - partners_held, 0),
        share=shares,
        places_total=places,
        slots_total=slots,
        university_tier=np.array([u[2] for u in universities], dtype=object),
        mutual=np.sort(pair_keys(*interest[interest[:, 2] == 1, :2].T, len(universities))),
        introduced=np.sort(pair_keys(*introduced.T, len(universities))),
    )


def _introductions(call: Call, project_index: dict, university_index: dict, shape: tuple[int, int]):
    """What the call's introductions hold (HOLDING): partner places per project, and project
    slots and student places per university and type; and the (project, university) index pairs
    that have an introduction (INTRODUCED), never proposed again."""
    partners = np.zeros(len(project_index), dtype=np.int64)
    slots, places = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    introduced = []
    for proposal_id, university_id, status, n_places, project_type in Introduction.objects.filter(
        proposal__call=call, status__in=INTRODUCED
    ).values_list("proposal_id", "university_id", "status", "places", "proposal__project_type"):
        p, u = project_index.get(proposal_id), university_index.get(university_id)
        if p is not None and u is not None:
            introduced.append((p, u))
        if status not in HOLDING:
            continue
        if p is not None:
            partners[p] += 1
        if u is not None:
            slots[u, TYPES.index(project_type)] += 1
            places[u, TYPES.index(project_type)] += n_places
    return partners, slots, places, np.array(introduced, dtype=np.int64).reshape(-1, 2)
