"""What the project pages' filters write: amounts as the program writes them (万元 in Chinese, CNY
with separators in English), and the words a search found, marked."""

import pytest
from django.utils import translation

from projects.templatetags.projects_tags import money


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (500000, "50 万元", "CNY 500,000"),
        (123456, "12.35 万元", "CNY 123,456"),
        (15000000, "1,500 万元", "CNY 15,000,000"),
        (5000, "0.5 万元", "CNY 5,000"),
        (0, "0 万元", "CNY 0"),
        (None, "—", "—"),
    ],
)
def test_amounts_read_in_wan_in_chinese_and_in_cny_in_english(value, zh, en):
    with translation.override("zh-hans"):
        assert money(value) == zh
    with translation.override("en"):
        assert money(value) == en


@pytest.mark.django_db
def test_the_project_page_shows_its_funding_in_wan(client):
    from django.utils import timezone

    from tests.factories import ProposalFactory

    project = ProposalFactory(status="published", decided_at=timezone.now(), funding_cny=500000)
    assert (
        "50 万元"
        in client.get(f"/projects/{project.public_id}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )


def test_search_words_are_marked_and_everything_else_escaped():
    from projects.templatetags.projects_tags import highlight

    assert (
        highlight("工业视觉<script>质检", ["视觉", "质检"])
        == "工业<mark>视觉</mark>&lt;script&gt;<mark>质检</mark>"
    )
    assert highlight("Computer Vision lab", ["vision"]) == "Computer <mark>Vision</mark> lab"
    assert highlight("<b>x</b>", []) == "&lt;b&gt;x&lt;/b&gt;"


@pytest.mark.django_db
def test_the_catalogue_marks_the_words_searched_for(client):
    from tests.projects.catalogue_pages.helpers import publish

    publish(title="工业视觉质检就业实习基地")
    html = client.get("/projects/?search=视觉").content.decode()
    assert "工业<mark>视觉</mark>质检就业实习基地" in html
