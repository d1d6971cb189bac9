"""A university's shortlist (收藏): its members add published projects and take them off, each
change audited, no other organisation sees it; and two to four projects side by side."""

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from projects.models import ShortlistEntry
from tests.factories import ProposalFactory, UniversityUserFactory

pytestmark = pytest.mark.django_db


def published(**fields):
    return ProposalFactory(status="published", decided_at=timezone.now(), **fields)


def change(client, project, action: str = "add"):
    return client.post(f"/projects/{project.public_id}/shortlist/", {"action": action})


def test_a_member_shortlists_a_project_and_a_colleague_sees_it(client_for, university):
    project = published(title="工业视觉质检就业实习基地")
    response = change(client_for(university), project)
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.public_id}/"
    colleague = UniversityUserFactory(username="colleague", university=university.university)
    page = client_for(colleague).get("/projects/shortlist/").content.decode()
    assert "工业视觉质检就业实习基地" in page
    detail = (
        client_for(colleague)
        .get(f"/projects/{project.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Shortlisted — take it off" in detail
    assert AuditEvent.objects.filter(action="shortlisted").count() == 1


def test_adding_twice_keeps_one_entry_and_taking_it_off_is_audited(client_for, university):
    project = published()
    client = client_for(university)
    change(client, project)
    change(client, project)
    assert ShortlistEntry.objects.count() == 1
    change(client, project, "remove")
    assert not ShortlistEntry.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__in=["shortlisted", "unshortlisted"])
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["shortlisted", "unshortlisted"]


def test_another_university_never_sees_the_shortlist(client_for, university, other_university):
    project = published(title="只在我校收藏中的项目")
    change(client_for(university), project)
    assert (
        "只在我校收藏中的项目"
        not in client_for(other_university).get("/projects/shortlist/").content.decode()
    )


@pytest.mark.parametrize("persona", ["employer", "ministry"])
def test_only_verified_universities_keep_a_shortlist(request, client_for, persona):
    project = published()
    client = client_for(request.getfixturevalue(persona))
    assert change(client, project).status_code == 403
    assert client.get("/projects/shortlist/").status_code == 403
    assert not ShortlistEntry.objects.exists()


def test_a_pending_university_is_refused(client_for):
    pending = UniversityUserFactory(username="pending_uni", university__status="pending")
    assert change(client_for(pending), published()).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = change(client, published())
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_unpublished_project_cannot_be_shortlisted(client_for, university):
    draft = ProposalFactory()
    assert change(client_for(university), draft).status_code == 404


def test_two_to_four_projects_are_compared_side_by_side(client, university):
    first, second = published(title="甲项目", funding_cny=500000), published(title="乙项目")
    response = client.get("/projects/compare/", {"ids": [first.public_id, second.public_id]})
    html = response.content.decode()
    assert response.status_code == 200 and "甲项目" in html and "乙项目" in html
    assert html.index("甲项目") < html.index("乙项目")  # in the order chosen
    assert "50 万元" in html


@pytest.mark.parametrize("count", [1, 5])
def test_fewer_than_two_or_more_than_four_is_refused_with_a_message(client, count):
    ids = [published().public_id for _ in range(count)]
    response = client.get("/projects/compare/", {"ids": ids}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        response.status_code == 400 and "Choose two to four published projects" in response.content.decode()
    )


def test_an_unpublished_project_or_a_bad_id_is_left_out_of_a_comparison(client):
    a, b = published(title="甲项目"), published(title="乙项目")
    draft = ProposalFactory(title="草稿项目")
    response = client.get(
        "/projects/compare/", {"ids": [a.public_id, b.public_id, draft.public_id, "nonsense"]}
    )
    assert response.status_code == 200 and "草稿项目" not in response.content.decode()
