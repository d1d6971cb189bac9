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

from .engine.candidates import Round

TYPES = list(ProjectType.values)
REGIONS = sorted({p.region for p in PROVINCES.values()})


@dataclass
class LoadedRound:
    round: Round
    project_ids: np.ndarray      # database ids, by engine index
    university_ids: np.ndarray
    areas: list[FocusArea]


def _province(code: str) -> tuple[int, int]:
    province = PROVINCES.get(code)
    return (int(code), REGIONS.index(province.region)) if province else (-1, -2)


def load_round(call: Call) -> LoadedRound:
    areas = list(FocusArea.objects.order_by("pk"))
    area_index = {a.pk: i for i, a in enumerate(areas)}
    parent = np.array([area_index.get(a.parent_id, -1) for a in areas], dtype=np.int64)

    projects = list(Proposal.objects.filter(call=call, status=Status.PUBLISHED).order_by("pk")
                    .values_list("pk", "project_type", "student_places", "partners_sought",
                                 "host_province"))
    project_ids = np.array([p[0] for p in projects], dtype=np.int64)
    project_index = {pk: i for i, pk in enumerate(project_ids.tolist())}
    project_areas = np.zeros((len(projects), len(areas)), dtype=np.float32)
    for proposal_id, area_id, weight in ProposalArea.objects.filter(
            proposal__call=call, proposal__status=Status.PUBLISHED).values_list(
            "proposal_id", "area_id", "weight"):
        project_areas[project_index[proposal_id], area_index[area_id]] = weight
    project_place = np.array([_province(p[4]) for p in projects], dtype=np.int64).reshape(-1, 2)

    universities = list(University.objects.filter(status=VerificationStatus.VERIFIED)
                        .order_by("pk").values_list("pk", "province"))
    university_ids = np.array([u[0] for u in universities], dtype=np.int64)
    university_index = {pk: i for i, pk in enumerate(university_ids.tolist())}
    strengths = np.zeros((len(universities), len(areas)), dtype=np.float32)
    for university_id, area_id, weight in UniversityStrength.objects.filter(
            university__status=VerificationStatus.VERIFIED).values_list(
            "university_id", "area_id", "weight"):
        strengths[university_index[university_id], area_index[area_id]] = weight
    places = np.zeros((len(universities), len(TYPES)), dtype=np.int64)
    slots = np.zeros_like(places)
    for university_id, project_type, n_places, n_projects in UniversityCapacity.objects.filter(
            university__status=VerificationStatus.VERIFIED).values_list(
            "university_id", "project_type", "places", "projects"):
        places[university_index[university_id], TYPES.index(project_type)] = n_places
        slots[university_index[university_id], TYPES.index(project_type)] = n_projects
    university_place = np.array([_province(u[1]) for u in universities],
                                dtype=np.int64).reshape(-1, 2)

    pairs = [(project_index[p], university_index[u]) for p, u in Interest.objects.filter(
        proposal__call=call, proposal__status=Status.PUBLISHED, status__in=LIVE_INTEREST,
        university__status=VerificationStatus.VERIFIED).values_list("proposal_id", "university_id")]
    interest = np.array(pairs, dtype=np.int64).reshape(-1, 2)

    round_ = Round(
        project_areas=project_areas,
        project_type=np.array([TYPES.index(p[1]) for p in projects], dtype=np.int64),
        project_places=np.array([p[2] or 0 for p in projects], dtype=np.int64),
        project_partners=np.array([p[3] or 1 for p in projects], dtype=np.int64),
        project_province=project_place[:, 0], project_region=project_place[:, 1],
        strengths=strengths, area_parent=parent,
        university_places=places, university_slots=slots,
        university_province=university_place[:, 0], university_region=university_place[:, 1],
        interest_project=interest[:, 0], interest_university=interest[:, 1],
    )
    return LoadedRound(round=round_, project_ids=project_ids, university_ids=university_ids,
                       areas=areas)
