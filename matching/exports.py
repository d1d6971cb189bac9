"""A run, with its inputs, as plain data: enough to check it independently — the capacity each
university had left for it beside its full capacity, the employers' answers that make an interest
mutual, and why each candidate not proposed was not."""

from accounts.models import FocusArea, University, VerificationStatus
from projects.models import Interest, Proposal
from projects.selectors import LIVE_INTEREST
from projects.workflow import Status

from .models import MatchRun


def run_export(run: MatchRun) -> dict:
    projects = (
        Proposal.objects.filter(call=run.call, status=Status.PUBLISHED)
        .prefetch_related("area_weights__area")
        .order_by("pk")
    )
    universities = (
        University.objects.filter(status=VerificationStatus.VERIFIED)
        .prefetch_related("strengths__area", "capacities")
        .order_by("pk")
    )
    candidates = run.candidates.select_related("proposal", "university").order_by("proposal_id", "rank")
    held = run.summary.get("held") or {}
    return {
        "run": {
            "id": str(run.public_id),
            "call": run.call.slug,
            "status": run.status,
            "weights": run.weights,
            "k": run.k,
            "m": run.m,
            **run.summary,
            "min_area_fit": run.min_area_fit,
            "bound": run.bound,
            "gap": run.gap,
            "solver": run.solver,
        },
        "focus_areas": [
            {"code": a.code, "parent": a.parent.code if a.parent else None}
            for a in FocusArea.objects.select_related("parent").order_by("pk")
        ],
        "projects": [
            {
                "id": str(p.public_id),
                "type": p.project_type,
                "areas": {pa.area.code: pa.weight for pa in p.area_weights.all()},
                "partners_sought": p.partners_sought,
                "student_places": p.student_places,
                "province": p.host_province,
            }
            for p in projects
        ],
        "universities": [
            {
                "id": str(u.public_id),
                "province": u.province,
                "strengths": {s.area.code: s.weight for s in u.strengths.all()},
                "capacity": _capacity_left(u, held.get(str(u.public_id), {})),
                "capacity_total": {
                    c.project_type: {"places": c.places, "projects": c.projects} for c in u.capacities.all()
                },
            }
            for u in universities
        ],
        "interests": [
            {"project": str(p), "university": str(u), "response": response or None}
            for p, u, response in Interest.objects.filter(
                proposal__call=run.call, status__in=LIVE_INTEREST
            ).values_list("proposal__public_id", "university__public_id", "response")
        ],
        "candidates": [
            {
                "project": str(c.proposal.public_id),
                "university": str(c.university.public_id),
                "score": c.score,
                "components": {
                    "area_fit": c.area_fit,
                    "capacity_fit": c.capacity_fit,
                    "region": c.region,
                    "interest": c.interest,
                },
                "rank": c.rank,
                "proposed": c.proposed,
                "reason": c.reason_code,
                "top_areas": c.top_areas,
            }
            for c in candidates.iterator(chunk_size=5000)
        ],
    }


def _capacity_left(university: University, held: dict) -> dict:
    """The capacity the run used: each type's places and project slots less what earlier
    introductions held when it ran (never below 0, as the run reads it)."""
    left = {}
    for c in university.capacities.all():
        taken = held.get(c.project_type, {})
        left[c.project_type] = {
            "places": max(c.places - taken.get("places", 0), 0),
            "projects": max(c.projects - taken.get("projects", 0), 0),
        }
    return left
