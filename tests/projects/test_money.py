"""Amounts as the program writes them: in units of 10,000 yuan (万元) in Chinese, in CNY with
separators in English."""

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
