"""The ministry's dashboard page, the public statistics page and the stats API show the same
figures as the selectors, in the call chosen, in English and Chinese, and the public ones leak
nothing private."""

from html.parser import HTMLParser

import pytest

from accounts.provinces import PROVINCES

from .dashboard_round import (  # noqa: F401
    API_DASHBOARD,
    API_PUBLIC,
    CONTACT,
    DASHBOARD,
    EMPLOYERS,
    PUBLIC,
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
    world_fixture,
)

pytestmark = pytest.mark.django_db


# --- the pages and the API show the same figures ------------------------------------------------


class Tables(HTMLParser):
    """Each table's caption and rows of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self._cell, self._in_caption = [], None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join(self._cell.split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell += data

    def rows(self, caption: str) -> list[list[str]]:
        """The body rows of the table whose caption contains `caption`."""
        table = next(t for t in self.tables if caption in t["caption"])
        return [row for row in table["rows"][1:] if row]


def test_the_dashboard_page_shows_the_call_chosen(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD, {"call": "ai-2026"})
    assert page.status_code == 200
    tables = Tables(page.content.decode())
    funnel = tables.rows("Projects of the call reaching each step")
    assert [(int(row[1]), None if row[2] == "—" else int(row[2])) for row in funnel] == [
        (projects, pairs) for _code, projects, pairs in expected_funnel("B")
    ]
    by_type = expected_groups("B")["type"]
    assert [row[1:] for row in tables.rows("Published projects and student places by project type")] == [
        [str(n) for n in by_type.get(code, (0, 0))] for code in TYPES
    ]
    assert [row[0] for row in tables.rows(", by name")] == expected_unintroduced("B")


def test_the_dashboard_defaults_to_the_current_call(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD)
    assert page.status_code == 200
    assert page.context["call"] == world.calls["A"]
    tables = Tables(page.content.decode())
    funnel = tables.rows("Projects of the call reaching each step")
    assert [int(row[1]) for row in funnel] == [projects for _c, projects, _p in expected_funnel("A")]
    provinces, _areas = expected_supply_demand("A")
    marked = {
        row[0]
        for row in tables.rows("Student places by province")
        if row[0].endswith("Demand outruns supply")
    }
    assert marked == {
        f"{PROVINCES[code].name_en} Demand outruns supply"
        for code, (demand, supply) in provinces.items()
        if demand > supply
    }
    times = expected_response_times("A")
    assert tables.rows("Answers to sent introductions") == [
        [label, str(times[side][0]), str(times[side][1]), f"{times[side][2]:.1f}", f"{times[side][3]:.1f}"]
        for side, label in [("employer", "Employers"), ("university", "Universities")]
    ]
    assert 'id="chart-funnel" type="application/json"' in page.content.decode()


def test_the_dashboard_speaks_chinese(world, client_for, ministry):
    page = client_for(ministry).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert PROVINCES["32"].name_zh in page.content.decode()


def test_the_dashboard_api_matches_the_round(world, api_for, ministry):
    body = api_for(ministry).get(API_DASHBOARD, {"call": "ai-2027-a"}).json()
    assert body["call"] == {"slug": "ai-2027-a", "name": world.calls["A"].name}
    assert [(s["code"], s["projects"], s["pairs"]) for s in body["funnel"]] == expected_funnel("A")
    groups = expected_groups("A")
    for key, group, codes in [
        ("by_area", "area", TOP_AREAS),
        ("by_type", "type", TYPES),
        ("by_province", "province", sorted(groups["province"])),
    ]:
        assert {r["code"]: (r["projects"], r["places"]) for r in body[key]} == {
            code: groups[group].get(code, (0, 0)) for code in codes
        }
    provinces, areas = expected_supply_demand("A")
    for key, expected in [("by_province", provinces), ("by_area", areas)]:
        rows = body["supply_demand"][key]
        assert {r["code"]: r["shortfall"] for r in rows} == {c: d > s for c, (d, s) in expected.items()}
        for row in rows:
            assert (row["demand"], row["supply"]) == pytest.approx(expected[row["code"]], abs=0.06)
    unintroduced = body["universities_without_introduction"]
    assert unintroduced["count"] == len(expected_unintroduced("A"))
    assert [u["name"] for u in unintroduced["universities"]] == expected_unintroduced("A")
    assert {
        r["side"]: (r["answered"], r["pending"], r["median_hours"], r["mean_hours"])
        for r in body["response_times"]
    } == expected_response_times("A")


def test_the_public_page_and_api_show_the_headline_figures(world, client_for, api_for):
    expected = expected_public()
    body = api_for(None).get(API_PUBLIC).json()
    assert {key: body[key] for key in expected} == expected
    groups = expected_groups(None)
    assert {r["code"]: (r["projects"], r["places"]) for r in body["by_province"]} == groups["province"]
    assert all(
        set(row) == {"code", "label", "projects", "places"}
        for key in ("by_area", "by_type", "by_province")
        for row in body[key]
    )
    page = client_for(None).get(PUBLIC)
    html = page.content.decode()
    for card, key in [
        ("employers-connected", "employers_connected"),
        ("universities-reached", "universities_reached"),
        ("projects", "projects"),
        ("students-benefited", "students_benefited"),
    ]:
        assert f'id="{card}"' in html
        assert f'<p class="figure">{expected[key]}</p>' in html.split(f'id="{card}"')[1].split("</div>")[0]
    assert Tables(html).rows("Published projects and student places by focus area")[3][1:] == [
        str(n) for n in groups["area"]["cv"]
    ]


def test_the_public_page_and_api_leak_nothing_private(world, client_for, api_for, employer, university):
    private = [name for name, *_rest in EMPLOYERS.values()] + [spec[0] for spec in UNIVERSITIES.values()]
    private += [p.title for p in world.projects.values()] + [p.contact_email for p in world.projects.values()]
    private += [e.email for e in world.employers.values()] + [u.email for u in world.universities.values()]
    private += [CONTACT["person"], CONTACT["phone"], "interest@campus.example.edu.cn"]
    private += [str(p.public_id) for p in world.projects.values()]
    private += [str(u.public_id) for u in world.universities.values()]
    for user in (None, employer, university):
        for response in (client_for(user).get(PUBLIC), api_for(user).get(API_PUBLIC)):
            assert response.status_code == 200
            body = response.content.decode()
            assert [text for text in private if text in body] == [], response.request["PATH_INFO"]
