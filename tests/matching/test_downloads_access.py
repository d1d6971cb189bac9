"""Who may export what: anonymous visitors are sent to log in, each persona gets its exports
and 403 for the others, another organisation's data never appears, and bad input is refused
with a page that says why."""

from types import SimpleNamespace

import pytest

from .downloads_rows import body
from .downloads_world import (  # noqa: F401
    LOGIN,
    _english_fixture,
    every_export,
    url,
    world_fixture,
)

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_the_login_page(client_for, world):
    for address in every_export(world):
        response = client_for(None).get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "persona, forbidden",
    [
        ("employer", {"run-candidates", "run-proposed"}),
        ("university", {"proposals", "run-candidates", "run-proposed"}),
        (
            "pending_employer",
            {"proposals", "interests", "introductions", "outcomes", "run-candidates", "run-proposed"},
        ),
        ("ministry", set()),
    ],
)
def test_each_persona_gets_its_exports_and_403_for_the_others(request, client_for, world, persona, forbidden):
    client = client_for(request.getfixturevalue(persona))
    for name in ["proposals", "interests", "introductions", "outcomes"]:
        assert client.get(url(name)).status_code == (403 if name in forbidden else 200), name
    for name in ["run-candidates", "run-proposed"]:
        assert client.get(url(name, world.run)).status_code == (403 if name in forbidden else 200), name


def test_another_organisations_data_never_appears(client_for, employer, university, world):
    employer_text = body(client_for(employer).get(url("proposals"), {"status": "all"})).decode()
    assert world.theirs.published.title not in employer_text
    assert world.theirs.submitted.title[1:] not in employer_text
    university_text = body(client_for(university).get(url("introductions"))).decode()
    assert str(world.intros.accepted.public_id) not in university_text
    assert str(world.intros.draft.public_id) not in university_text


def test_bad_input_is_refused_with_a_page_that_says_why(client_for, ministry, world):
    client = client_for(ministry)
    response = client.get(url("proposals"), {"format": "pdf"})
    assert response.status_code == 400
    assert "csv or xlsx" in response.content.decode()
    response = client.get(url("introductions"), {"status": "bogus"})
    assert response.status_code == 400
    assert "status" in response.content.decode()
    assert client.get(url("run-candidates", world.run), {"province": "99"}).status_code == 400
    assert client.get(url("run-candidates", world.queued)).status_code == 400
    missing = SimpleNamespace(public_id="6f1c1f54-0000-4000-8000-000000000000")
    assert client.get(url("run-candidates", missing)).status_code == 404
