"""What an export writes: formulas defused as text, control characters and error codes kept as
text in XLSX, labels and headers in the request's language, and a bounded number of queries
whatever the rows."""

import io

import pytest
from openpyxl import load_workbook

from accounts import tabular

from .downloads_rows import body, read
from .downloads_world import (  # noqa: F401
    AUDIT_QUERIES,
    FORMULAS,
    _english_fixture,
    every_export,
    url,
    world_fixture,
)

pytestmark = pytest.mark.django_db


def test_formulas_are_written_as_text(client_for, ministry, world):
    client = client_for(ministry)
    rows = read(client.get(url("proposals"), {"status": "all"}), "csv")
    titles = {row[1] for row in rows[1:]}
    assert {"'" + title for title in FORMULAS[:4]} <= titles
    assert not any(title.startswith(("=", "+", "-", "@")) for title in titles)
    sheet = load_workbook(
        io.BytesIO(body(client.get(url("proposals"), {"status": "all", "format": "xlsx"})))
    ).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {c.value for c in cells} >= set(FORMULAS[:4])
    assert {c.data_type for c in cells} == {"s"}
    statements = load_workbook(io.BytesIO(body(client.get(url("interests"), {"format": "xlsx"})))).active
    assert {row[16].data_type for row in statements.iter_rows(min_row=2)} == {"s"}


def test_control_characters_and_error_codes_stay_text_in_xlsx():
    rows = [("#N/A", "a\x00b\x1fc", "=1+1", -5, None)]
    response = tabular.stream_xlsx("测试 export.xlsx", ["甲", "乙", "丙", "丁", "戊"], iter(rows))
    sheet = load_workbook(io.BytesIO(body(response))).active
    values = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert values[1] == [("#N/A", "s"), ("abc", "s"), ("=1+1", "s"), (-5, "n"), (None, "n")]
    assert response["Content-Disposition"] == (
        "attachment; filename=\"__ export.xlsx\"; filename*=UTF-8''%E6%B5%8B%E8%AF%95%20export.xlsx"
    )


def test_labels_and_headers_follow_the_request_language(client_for, ministry, world):
    client = client_for(ministry)
    rows = read(client.get(url("run-candidates", world.run), HTTP_ACCEPT_LANGUAGE="zh-hans"), "csv")
    assert {row[4] for row in rows[1:]} == {"江苏省", "广东省"}
    assert rows[0][16] == "未推荐原因"
    assert {row[16] for row in rows[1:]} == {"", "该项目的合作高校名额已由其他高校占用"}
    rows = read(client.get(url("run-candidates", world.run)), "csv")
    assert rows[0][:2] == ["Project ID", "Project"]
    assert {row[4] for row in rows[1:]} == {"Jiangsu", "Guangdong"}
    assert rows[0][16] == "Why not proposed"
    assert {row[16] for row in rows[1:]} == {"", "The project's partner places went to other universities"}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_no_export_runs_a_query_per_row(client_for, ministry, world, django_assert_max_num_queries, kind):
    client = client_for(ministry)
    for address in every_export(world):
        with django_assert_max_num_queries(6 + AUDIT_QUERIES):
            rows = read(
                client.get(
                    address, {"format": kind, "status": "all"} if "proposals" in address else {"format": kind}
                ),
                kind,
            )
        assert len(rows) > 2, address
