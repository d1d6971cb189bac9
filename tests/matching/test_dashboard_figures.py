"""The dashboard's selectors: every figure of the ministry's dashboard and of the public
statistics matches what plain Python computes from the round's specifications, the public
figures are cached, and a call without a run or introductions has an empty tail."""

import pytest
from django.utils import timezone

from accounts.provinces import PROVINCES
from matching.dashboard import figures
from tests.factories import (
    CallFactory,
    ProposalFactory,
)

from .dashboard_round import (  # noqa: F401
    API_PUBLIC,
    INTERESTS,
    INTRODUCTIONS,
    LIVE,
    PROJECTS,
    TOP_AREAS,
    TYPES,
    UNIVERSITIES,
    _english_pages_fixture,
    expected_funnel,
    expected_groups,
    expected_public,
    expected_response_times,
    expected_supply_demand,
    expected_unintroduced,
    verified,
    world_fixture,
)

pytestmark = pytest.mark.django_db


# --- the selectors ------------------------------------------------------------------------------


def rows_by_code(rows) -> dict:
    return {row.code: (row.projects, row.places) for row in rows}


@pytest.mark.parametrize("call", ["A", "B"])
def test_every_dashboard_figure_matches_the_round(world, call):
    data = figures.dashboard(world.calls[call])
    assert [(s.code, s.projects, s.pairs) for s in data.funnel] == expected_funnel(call)

    groups = expected_groups(call)
    assert rows_by_code(data.by_area) == {code: groups["area"].get(code, (0, 0)) for code in TOP_AREAS}
    assert rows_by_code(data.by_type) == {code: groups["type"].get(code, (0, 0)) for code in TYPES}
    assert rows_by_code(data.by_province) == groups["province"]
    assert [row.code for row in data.by_province] == sorted(groups["province"])
    assert {row.code: row.label for row in data.by_province} == {
        code: PROVINCES[code].name_en for code in groups["province"]
    }

    provinces, areas = expected_supply_demand(call)
    for rows, expected in [(data.supply_demand.by_province, provinces), (data.supply_demand.by_area, areas)]:
        assert {row.code for row in rows} == set(expected)
        for row in rows:
            demand, supply = expected[row.code]
            assert (row.demand, row.supply, row.gap) == pytest.approx(
                (demand, supply, demand - supply), abs=0.11
            ), row.code
            assert row.shortfall is (demand > supply), row.code

    assert data.unintroduced.count == len(expected_unintroduced(call))
    assert [u.name for u in data.unintroduced.universities] == expected_unintroduced(call)

    assert {
        r.side: (r.answered, r.pending, r.median_hours, r.mean_hours) for r in data.response_times
    } == expected_response_times(call)


def test_the_round_exercises_every_case(world):
    """The figures above would pass vacuously on an empty round: check the round has what the
    definitions distinguish."""
    steps = dict((code, (projects, pairs)) for code, projects, pairs in expected_funnel("A"))
    assert steps["proposed"][1] > steps["sent"][1] > steps["accepted"][1] > steps["completed"][1] > 0
    _provinces, areas = expected_supply_demand("A")
    assert any(d > s for d, s in areas.values()) and any(0 < d <= s for d, s in areas.values())
    assert {spec[2] for spec in INTRODUCTIONS.values()} == {
        "proposed",
        "sent",
        "accepted",
        "declined",
        "expired",
        "cancelled",
        "signed",
        "in_progress",
        "completed",
    }


def test_unintroduced_universities_carry_their_live_interests_in_the_call(world):
    rows = {
        u.name: u.call_interests
        for u in figures.universities_without_introduction(world.calls["A"]).universities
    }
    expected = {
        UNIVERSITIES[u][0]: len(
            [1 for p, uu, status in INTERESTS if uu == u and status in LIVE and PROJECTS[p][0] == "A"]
        )
        for u in verified()
    }
    assert rows == {name: expected[name] for name in expected_unintroduced("A")}


def test_public_figures_cover_every_call(world):
    data = figures.public_figures()
    expected = expected_public()
    assert {key: getattr(data, key) for key in expected} == expected
    groups = expected_groups(None)
    assert rows_by_code(data.by_area) == {code: groups["area"].get(code, (0, 0)) for code in TOP_AREAS}
    assert rows_by_code(data.by_type) == {code: groups["type"].get(code, (0, 0)) for code in TYPES}
    assert rows_by_code(data.by_province) == groups["province"]


def test_public_figures_are_cached_for_five_minutes(world, api_for, django_assert_num_queries):
    api = api_for(None)
    first = api.get(API_PUBLIC).json()
    ProposalFactory(status="published", call=world.calls["A"])
    with django_assert_num_queries(0):
        again = api.get(API_PUBLIC).json()
    assert again == first
    assert figures.PUBLIC_CACHE_SECONDS == 300


def test_a_call_without_a_run_or_introductions_has_an_empty_tail(db):
    call = CallFactory()
    ProposalFactory(call=call, status="published", submitted_at=timezone.now())
    steps = {s.code: (s.projects, s.pairs) for s in figures.funnel(call)}
    assert steps == {
        "submitted": (1, None),
        "published": (1, None),
        "interest": (0, None),
        "proposed": (0, 0),
        "sent": (0, 0),
        "accepted": (0, 0),
        "signed": (0, 0),
        "completed": (0, 0),
    }
    assert [(r.side, r.answered, r.median_hours) for r in figures.response_times(call)] == [
        ("employer", 0, None),
        ("university", 0, None),
    ]
