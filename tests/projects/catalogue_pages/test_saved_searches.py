"""Saved searches from the pages: saving and reopening, bad input refused with a message, who
may save, and deleting only one's own."""

import pytest
from django.urls import reverse

from projects.models import SavedSearch
from tests.pages import flashed

from .helpers import CATALOGUE, SAVED, is_login_redirect, text

pytestmark = pytest.mark.django_db


# --- saved searches ---------------------------------------------------------------------------


def test_a_university_saves_a_search_and_reopens_it(client_for, university):
    client = client_for(university)

    response = client.post(SAVED, {"name": "江苏视觉", "query": "area=cv&province=32&page=3"})

    saved = SavedSearch.objects.get()
    assert response.status_code == 302 and response.url == SAVED
    assert (saved.user, saved.name, saved.query) == (university, "江苏视觉", "area=cv&province=32")
    html = text(client.get(SAVED))
    assert f'href="{CATALOGUE}?area=cv&province=32"' in html
    assert "Focus area: Computer vision" in html and "Province: Jiangsu" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "坏的", "query": "student_places_min=many"}, "student_places_min"),
        ({"name": "", "query": "province=32"}, "required"),
    ],
)
def test_a_bad_saved_search_is_refused_with_a_message(client_for, university, data, message):
    response = client_for(university).post(SAVED, data)

    assert response.status_code == 302 and response.url.startswith(CATALOGUE)
    assert message in flashed(response)[-1]
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize(
    ("persona", "get_expected", "post_expected"),
    [
        ("university", 200, 302),
        ("pending_university", 200, 403),
        ("employer", 403, 403),
        ("ministry", 403, 403),
        ("anonymous", "login", "login"),
    ],
)
def test_who_saves_searches(client_for, persona, get_expected, post_expected, request):
    client = client_for(request.getfixturevalue(persona))

    got = client.get(SAVED)
    posted = client.post(SAVED, {"name": "全部", "query": ""})

    for response, expected in ((got, get_expected), (posted, post_expected)):
        assert is_login_redirect(response) if expected == "login" else response.status_code == expected
    assert SavedSearch.objects.count() == (1 if persona == "university" else 0)


def test_a_user_deletes_only_its_own_saved_searches(client_for, university, other_university):
    mine = SavedSearch.objects.create(user=university, name="我的", query="province=32")
    theirs = SavedSearch.objects.create(user=other_university, name="别人的", query="")
    client = client_for(university)

    deleted = client.post(reverse("projects:saved-search-delete", args=[mine.public_id]))
    other = client.post(reverse("projects:saved-search-delete", args=[theirs.public_id]))
    anonymous = client_for(None).post(reverse("projects:saved-search-delete", args=[theirs.public_id]))

    assert deleted.status_code == 302 and other.status_code == 404 and is_login_redirect(anonymous)
    assert list(SavedSearch.objects.all()) == [theirs]
