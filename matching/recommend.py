"""“Recommended for you”: a university's ranking of published projects by the engine's score.

Until the matching engine's runs exist this is the placeholder score the issue asks for, but
computed by the engine's own function (engine.scoring.score_block), so the components a
university sees here are the ones the engine will rank by.
"""

import hashlib
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import Max, QuerySet

from accounts.models import FocusArea, ProjectType, University
from accounts.provinces import PROVINCES
from projects.models import Interest, Proposal, ProposalArea
from projects.selectors import LIVE_INTEREST, catalogue

from .engine.scoring import COMPONENTS, Weights, effective_strengths, score_block, top_areas

RANKED_KEEP = 500
CACHE_SECONDS = 600
TYPES = list(ProjectType.values)
REGIONS = sorted({p.region for p in PROVINCES.values()})


@dataclass
class Recommendation:
    proposal: Proposal
    score: float
    components: dict[str, float]
    reasons: list[FocusArea]


def _province(code: str) -> tuple[int, int]:
    province = PROVINCES.get(code)
    return (int(code), REGIONS.index(province.region)) if province else (-1, -2)


def _areas() -> tuple[list[FocusArea], dict[int, int], np.ndarray]:
    areas = list(FocusArea.objects.order_by("pk"))
    index = {area.pk: i for i, area in enumerate(areas)}
    parent = np.array([index.get(a.parent_id, -1) for a in areas], dtype=np.int64)
    return areas, index, parent


def _university_arrays(university: University, index: dict[int, int], n_areas: int) -> dict:
    strengths = np.zeros((1, n_areas), dtype=np.float32)
    for area_id, weight in university.strengths.values_list("area_id", "weight"):
        strengths[0, index[area_id]] = weight
    places = np.zeros((1, len(TYPES)), dtype=np.int64)
    slots = np.zeros((1, len(TYPES)), dtype=np.int64)
    for project_type, n_places, n_projects in university.capacities.values_list(
        "project_type", "places", "projects"
    ):
        places[0, TYPES.index(project_type)] = n_places
        slots[0, TYPES.index(project_type)] = n_projects
    province, region = _province(university.province)
    return {
        "strengths": strengths,
        "university_places": places,
        "university_slots": slots,
        "university_province": np.array([province]),
        "university_region": np.array([region]),
    }


def _rank(university: University, queryset: QuerySet) -> list[tuple[int, float]]:
    """(proposal id, total score) of the best eligible projects in the queryset, best first."""
    areas, index, parent = _areas()
    uni = _university_arrays(university, index, len(areas))
    eligible_types = [
        t
        for i, t in enumerate(TYPES)
        if uni["university_places"][0, i] > 0 and uni["university_slots"][0, i] > 0
    ]
    rows = list(
        queryset.filter(project_type__in=eligible_types)
        .order_by()
        .values_list("pk", "project_type", "student_places", "partners_sought", "host_province")
    )
    if not rows:
        return []
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    position = {pk: i for i, pk in enumerate(ids.tolist())}
    project_areas = np.zeros((len(rows), len(areas)), dtype=np.float32)
    links = ProposalArea.objects.filter(
        proposal_id__in=queryset.filter(project_type__in=eligible_types).order_by().values("pk")
    ).values_list("proposal_id", "area_id", "weight")
    for proposal_id, area_id, weight in links:
        project_areas[position[proposal_id], index[area_id]] = weight
    interested = set(
        Interest.objects.filter(university=university, status__in=LIVE_INTEREST).values_list(
            "proposal_id", flat=True
        )
    )
    provinces = np.array([_province(r[4]) for r in rows], dtype=np.int64).reshape(-1, 2)
    _components, totals, _eligible = score_block(
        project_areas=project_areas,
        project_type=np.array([TYPES.index(r[1]) for r in rows]),
        project_places=np.array([r[2] or 0 for r in rows]),
        project_partners=np.array([r[3] or 1 for r in rows]),
        project_province=provinces[:, 0],
        project_region=provinces[:, 1],
        effective=effective_strengths(uni["strengths"], parent),
        university_places=uni["university_places"],
        university_slots=uni["university_slots"],
        university_province=uni["university_province"],
        university_region=uni["university_region"],
        interest=np.array([[pk in interested] for pk in ids.tolist()]),
    )
    scores = totals[:, 0]
    keep = min(RANKED_KEEP, len(scores))
    best = np.argpartition(-scores, keep - 1)[:keep]
    best = best[np.lexsort((ids[best], -scores[best]))]
    return [(int(ids[i]), float(scores[i])) for i in best if scores[i] > 0]


def _university_state(university: University) -> str:
    """What the ranking reads of the university that does not touch university.updated_at:
    its strengths, its capacity and the projects it has a live interest in."""
    strengths = list(university.strengths.order_by("area_id").values_list("area_id", "weight"))
    capacity = list(
        university.capacities.order_by("project_type").values_list("project_type", "places", "projects")
    )
    interested = sorted(
        Interest.objects.filter(university=university, status__in=LIVE_INTEREST).values_list(
            "proposal_id", flat=True
        )
    )
    return f"{strengths}|{capacity}|{interested}"


def ranked_ids(university: University, queryset: QuerySet, key: str = "") -> list[tuple[int, float]]:
    """The ranking, cached for ten minutes per university state, filters and catalogue state."""
    version = Proposal.objects.aggregate(v=Max("updated_at"))["v"]
    state = f"{key}|{version}|{university.updated_at}|{_university_state(university)}".encode()
    cache_key = f"recommend:{university.pk}:{hashlib.sha256(state).hexdigest()}"
    ranking = cache.get(cache_key)
    if ranking is None:
        ranking = _rank(university, queryset)
        cache.set(cache_key, ranking, CACHE_SECONDS)
    return ranking


def explain(university: University, proposals: list[Proposal]) -> list[Recommendation]:
    """Each proposal's score, components and the areas that contribute most, for display."""
    areas, index, parent = _areas()
    uni = _university_arrays(university, index, len(areas))
    effective = effective_strengths(uni["strengths"], parent)
    interested = set(
        Interest.objects.filter(
            university=university, status__in=LIVE_INTEREST, proposal__in=proposals
        ).values_list("proposal_id", flat=True)
    )
    result = []
    for proposal in proposals:
        row = np.zeros((1, len(areas)), dtype=np.float32)
        for link in proposal.area_weights.all():
            row[0, index[link.area_id]] = link.weight
        province, region = _province(proposal.host_province)
        components, totals, _eligible = score_block(
            project_areas=row,
            project_type=np.array([TYPES.index(proposal.project_type)]),
            project_places=np.array([proposal.student_places or 0]),
            project_partners=np.array([proposal.partners_sought or 1]),
            project_province=np.array([province]),
            project_region=np.array([region]),
            effective=effective,
            university_places=uni["university_places"],
            university_slots=uni["university_slots"],
            university_province=uni["university_province"],
            university_region=uni["university_region"],
            interest=np.array([[proposal.pk in interested]]),
        )
        result.append(
            Recommendation(
                proposal=proposal,
                score=float(totals[0, 0]),
                components={name: float(components[i, 0, 0]) for i, name in enumerate(COMPONENTS)},
                reasons=[areas[i] for i in top_areas(row[0], effective[0])],
            )
        )
    return result


def recommended(
    university: University, queryset: QuerySet | None = None, key: str = "", limit: int = 20, offset: int = 0
) -> tuple[list[Recommendation], int]:
    """A page of recommendations (explained) and how many there are in all."""
    queryset = catalogue() if queryset is None else queryset
    ranking = ranked_ids(university, queryset, key)
    page = ranking[offset : offset + limit]
    found = catalogue().in_bulk([pk for pk, _score in page])
    return explain(university, [found[pk] for pk, _score in page if pk in found]), len(ranking)


__all__ = ["Recommendation", "Weights", "explain", "ranked_ids", "recommended"]
