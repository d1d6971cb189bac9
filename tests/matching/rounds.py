"""A tiny call round whose every score is worked out by hand, for the run, command and API tests.

Two published projects × three verified universities (plus noise the run must ignore):

    P1  internship_base, 40 places, 2 partners (20 per partner), Jiangsu (32, east),
        areas cv 0.75, ml 0.25
    P2  directed_training, 30 places, 1 partner (30 per partner), Guangdong (44, south),
        areas cv.medical_imaging 1.0
    U1  Jiangsu (32, east): cv.medical_imaging 0.8, ml 0.5;
        internship 10 places / 2 projects, directed 60 places / 1 project
    U2  Zhejiang (33, east): cv 0.6, cv.medical_imaging 0.2; internship 40 places / 1 project;
        a live interest in P1 and in P2 (for which it has no capacity: not eligible)
    U3  Beijing (11, north): nlp 0.9; internship 5 / 3, directed 30 / 2

Area fit: a top-level area's strength is the largest of its own and its sub-areas' (U1's cv is
its medical imaging 0.8); a sub-area's is the university's own. With the default weights
(0.60, 0.15, 0.15, 0.10):

    P1–U1  area .75×.8 + .25×.5 = .725  capacity min(1, 10/20) = .5   region 1    interest 0
           .6×.725 + .15×.5 + .15×1 = .66
    P1–U2  area .75×.6 = .45            capacity min(1, 40/20) = 1   region .5   interest 1
           .27 + .15 + .075 + .1 = .595
    P1–U3  area 0                       capacity 5/20 = .25          region 0    interest 0
           .15×.25 = .0375
    P2–U1  area .8                      capacity min(1, 60/30) = 1   region 0    interest 0
           .48 + .15 = .63
    P2–U2  not eligible (no directed-training places): score 0, a candidate only through its
           interest; components area .2, capacity 0, region 0, interest 1
    P2–U3  area 0                       capacity 30/30 = 1           region 0    interest 0
           .15

With the default AI-fit floor (0.10) and the three capacities: P1–U1 cannot be proposed (P1's
share of 20 students exceeds U1's 10 internship places), P1–U3 and P2–U3 fall below the floor
(area fit 0), and P2–U2 scores 0. The choice is P1–U2 and P2–U1 (objective 1.225, which greedy
also reaches).
"""

from dataclasses import dataclass

from django.utils import timezone

from projects.models import Interest
from tests.factories import CallFactory, InterestFactory, ProposalFactory, UniversityFactory
from tests.matching.conftest import set_profile

# (project, university): (area_fit, capacity_fit, region, interest, score, rank, proposed, top_areas)
EXPECTED = {
    ("P1", "U1"): (0.725, 0.5, 1.0, 0.0, 0.66, 1, False, ["cv", "ml"]),
    ("P1", "U2"): (0.45, 1.0, 0.5, 1.0, 0.595, 2, True, ["cv"]),
    ("P1", "U3"): (0.0, 0.25, 0.0, 0.0, 0.0375, 3, False, []),
    ("P2", "U1"): (0.8, 1.0, 0.0, 0.0, 0.63, 1, True, ["cv.medical_imaging"]),
    ("P2", "U3"): (0.0, 1.0, 0.0, 0.0, 0.15, 2, False, []),
    ("P2", "U2"): (0.2, 0.0, 0.0, 1.0, 0.0, 3, False, ["cv.medical_imaging"]),
}
OBJECTIVE = 0.595 + 0.63
# Why each pair not proposed was not (Candidate.Reason).
REASONS = {("P1", "U1"): 6, ("P1", "U3"): 3, ("P2", "U3"): 3, ("P2", "U2"): 2}


@dataclass
class TinyRound:
    call: object
    projects: dict
    universities: dict

    def names(self) -> dict[tuple[int, int], tuple[str, str]]:
        """(proposal pk, university pk) → ("P1", "U1")."""
        return {
            (p.pk, u.pk): (pn, un) for pn, p in self.projects.items() for un, u in self.universities.items()
        }


def published(call, **fields):
    return ProposalFactory(call=call, status="published", decided_at=timezone.now(), **fields)


def tiny_round(call=None) -> TinyRound:
    call = call or CallFactory()
    u1 = set_profile(
        UniversityFactory(province="32", city="南京"),
        {"cv.medical_imaging": 0.8, "ml": 0.5},
        {"internship_base": (10, 2), "directed_training": (60, 1)},
    )
    u2 = set_profile(
        UniversityFactory(province="33", city="杭州"),
        {"cv": 0.6, "cv.medical_imaging": 0.2},
        {"internship_base": (40, 1)},
    )
    u3 = set_profile(
        UniversityFactory(province="11", city="北京"),
        {"nlp": 0.9},
        {"internship_base": (5, 3), "directed_training": (30, 2)},
    )
    p1 = published(
        call,
        project_type="internship_base",
        student_places=40,
        partners_sought=2,
        host_province="32",
        areas={"cv": 3, "ml": 1},
    )
    p2 = published(
        call,
        project_type="directed_training",
        student_places=30,
        partners_sought=1,
        host_province="44",
        host_city="深圳",
        areas={"cv.medical_imaging": 1},
    )
    InterestFactory(proposal=p1, university=u2)
    InterestFactory(proposal=p2, university=u2)
    # Noise the run must not read: a withdrawn interest, a university awaiting verification,
    # a draft of this call and a project published in another call.
    InterestFactory(proposal=p1, university=u3, status=Interest.Status.WITHDRAWN)
    set_profile(
        UniversityFactory(province="32", status="pending"), {"cv": 1.0}, {"internship_base": (100, 5)}
    )
    ProposalFactory(call=call, status="draft")
    published(CallFactory())
    return TinyRound(call=call, projects={"P1": p1, "P2": p2}, universities={"U1": u1, "U2": u2, "U3": u3})
