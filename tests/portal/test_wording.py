"""Wording people read: a select's empty choice is 请选择 (Please choose), never Django's
"---------"; dates read 2027年4月30日 in Chinese and 30 April 2027 in English."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "请选择"), ("en", "Please choose")])
def test_an_empty_choice_says_please_choose(client, language, words):
    html = client.get("/accounts/register/employer/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<option value="" selected>{words}</option>' in html
    assert "---------" not in html


def test_the_review_pages_reason_select_says_please_choose(client_for, ministry):
    from django.utils import timezone

    from tests.factories import ProposalFactory

    proposal = ProposalFactory(status="submitted", submitted_at=timezone.now())
    html = client_for(ministry).get(f"/review/{proposal.public_id}/").content.decode()
    assert ">请选择</option>" in html and "---------" not in html


@pytest.mark.parametrize(
    ("language", "shown"), [("zh-hans", "2027年4月30日 23:59"), ("en", "30 April 2027, 23:59")]
)
def test_dates_read_as_each_language_writes_them(client_for, ministry, language, shown):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.factories import CallFactory

    beijing = ZoneInfo("Asia/Shanghai")
    CallFactory(
        opens_at=datetime(2027, 3, 1, tzinfo=beijing), closes_at=datetime(2027, 4, 30, 23, 59, tzinfo=beijing)
    )
    html = client_for(ministry).get("/calls/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown in html


def test_an_audit_action_and_a_column_of_the_same_english_word_read_apart_in_chinese():
    from django.utils import translation

    from common.audit import action_label

    with translation.override("zh-hans"):
        assert str(action_label("registered")) == "已注册"
        assert translation.gettext("Registered") == "注册时间"  # the column


def test_a_label_and_its_value_are_parted_by_a_full_width_colon_in_chinese(client_for, employer):
    from tests.factories import CallFactory

    CallFactory()
    html = client_for(employer).get("/proposals/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "申报截止时间：" in html and "申报截止时间: " not in html
