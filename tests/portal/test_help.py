"""The manual at /help/: each role's steps and the questions people ask, in both languages,
linked from every page's header."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "用户手册"), ("en", "User manual")])
def test_the_manual_has_each_roles_steps_in_both_languages(client, language, words):
    html = client.get("/help/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert words in html
    for section in ("employer", "university", "ministry", "questions"):
        assert f'id="{section}"' in html


def test_every_page_links_the_manual_from_its_header(client):
    header = client.get("/projects/").content.decode().split("</nav>")[0]
    assert 'href="/help/"' in header
