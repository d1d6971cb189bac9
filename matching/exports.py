"""A run, with its inputs, as plain data: enough to check it independently."""

from accounts.models import FocusArea, University, VerificationStatus
from projects.models import Interest, Proposal
from projects.selectors import LIVE_INTEREST
from projects.workflow import Status

from .models import MatchRun


def run_export(run: MatchRun) -> dict:
    projects = (Proposal.objects.filter(call=run.call, status=Status.PUBLISHED)
                .prefetch_related("area_weights__area").order_by("pk"))
    universities = (University.objects.filter(status=VerificationStatus.VERIFIED)
                    .prefetch_related("strengths__area", "capacities").order_by("pk"))
    candidates = run.candidates.select_related("proposal", "university").order_by("proposal_id", "rank")
    return {
        "run": {"id": str(run.public_id), "call": run.call.slug, "status": run.status,
                "weights": run.weights, "k": run.k, "m": run.m, **run.summary},
        "focus_areas": [{"code": a.code, "parent": a.parent.code if a.parent else None}
                        for a in FocusArea.objects.select_related("parent").order_by("pk")],
        "projects": [{"id": str(p.public_id), "type": p.project_type,
                      "areas": {pa.area.code: pa.weight for pa in p.area_weights.all()},
                      "partners_sought": p.partners_sought, "student_places": p.student_places,
                      "province": p.host_province} for p in projects],
        "universities": [{"id": str(u.public_id), "province": u.province,
                          "strengths": {s.area.code: s.weight for s in u.strengths.all()},
                          "capacity": {c.project_type: {"places": c.places, "projects": c.projects}
                                       for c in u.capacities.all()}} for u in universities],
        "interests": [{"project": str(p), "university": str(u)} for p, u in Interest.objects.filter(
            proposal__call=run.call, status__in=LIVE_INTEREST).values_list(
            "proposal__public_id", "university__public_id")],
        "candidates": [{"project": str(c.proposal.public_id), "university": str(c.university.public_id),
                        "score": c.score, "components": {"area_fit": c.area_fit,
                                                         "capacity_fit": c.capacity_fit,
                                                         "region": c.region, "interest": c.interest},
                        "rank": c.rank, "proposed": c.proposed, "top_areas": c.top_areas}
                       for c in candidates.iterator(chunk_size=5000)],
    }
