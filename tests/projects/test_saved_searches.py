"""Saved catalogue searches: who may save one, which filters are refused, and the weekly email of
newly published matches, each project at most once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.celery import app as celery_app
from projects import services
from projects.models import Proposal, SavedSearch, SavedSearchHit
from projects.services.saved_searches import DIGEST_LIMIT
from projects.tasks import send_saved_search_digests
from tests.factories import ProposalFactory, UniversityUserFactory

pytestmark = pytest.mark.django_db


def published(days_ago: float = 0, **kwargs) -> Proposal:
    return ProposalFactory(status="published", decided_at=timezone.now() - timedelta(days=days_ago), **kwargs)


def save(user, query: str = "area=cv&province=32", name: str = "江苏视觉项目") -> SavedSearch:
    return services.saved_search_create(actor=user, name=name, query=query)


def digest(run=services.saved_search_digest_send, *, capture) -> int:
    with capture(execute=True):
        return run()


def mailed_titles(message) -> list[str]:
    return [line[2:] for line in message.body.splitlines() if line.startswith("- ")]


# Saving


def test_a_university_saves_its_filters_without_the_page(university):
    saved = save(university, query="area=cv&province=32&page=3&csrfmiddlewaretoken=x")
    saved.refresh_from_db()
    assert (saved.user, saved.name, saved.query) == (university, "江苏视觉项目", "area=cv&province=32")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=bogus", "type"),
        ("student_places_min=many", "student_places_min"),
        ("province=99", "province"),
        ("region=mars", "region"),
        ("ordering=title", "ordering"),
    ],
)
def test_invalid_filters_are_refused(university, query, field):
    with pytest.raises(ValidationError) as caught:
        save(university, query=query)
    assert field in caught.value.message_dict["query"][0]
    assert not SavedSearch.objects.exists()


def test_a_name_is_needed(university):
    with pytest.raises(ValidationError) as caught:
        save(university, name="  ")
    assert "name" in caught.value.message_dict
    assert not SavedSearch.objects.exists()


@pytest.mark.parametrize("persona", ["employer", "ministry", "anonymous", "pending_university"])
def test_only_verified_universities_save_searches(request, persona):
    user = (
        UniversityUserFactory(university__status="pending")
        if persona == "pending_university"
        else request.getfixturevalue(persona)
    )
    with pytest.raises(PermissionDenied):
        save(user)
    assert not SavedSearch.objects.exists()


def test_only_its_owner_deletes_a_saved_search(university, other_university):
    saved = save(university)
    with pytest.raises(PermissionDenied):
        services.saved_search_delete(actor=other_university, saved_search=saved)
    services.saved_search_delete(actor=university, saved_search=saved)
    assert not SavedSearch.objects.exists()


# The weekly digest


def test_the_digest_emails_newly_published_matching_projects_once(
    university, django_capture_on_commit_callbacks, mailoutbox
):
    published(days_ago=1, title="保存之前发布的视觉项目", host_province="32")
    saved = save(university)
    published(title="江苏视觉", host_province="32", areas={"cv": 1})
    published(title="江苏医学影像", host_province="32", areas={"cv.medical_imaging": 1})
    published(title="四川视觉", host_province="51")
    published(title="江苏机器人", host_province="32", areas={"robotics": 1})
    ProposalFactory(title="江苏视觉草稿", host_province="32", status="submitted")

    assert digest(capture=django_capture_on_commit_callbacks) == 1

    [message] = mailoutbox
    assert message.to == [university.email]
    assert "江苏视觉项目" in message.subject
    assert sorted(mailed_titles(message)) == ["江苏医学影像", "江苏视觉"]
    assert f"{settings.PORTAL_URL}/projects/?area=cv&province=32" in message.body
    assert SavedSearchHit.objects.filter(saved_search=saved).count() == 2


def test_running_the_digest_again_sends_nothing_new(
    university, django_capture_on_commit_callbacks, mailoutbox
):
    save(university)
    published(title="江苏视觉", host_province="32")
    assert digest(capture=django_capture_on_commit_callbacks) == 1
    assert digest(capture=django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 1

    published(title="江苏视觉二期", host_province="32")
    assert digest(capture=django_capture_on_commit_callbacks) == 1
    assert len(mailoutbox) == 2
    assert mailed_titles(mailoutbox[1]) == ["江苏视觉二期"]


def test_the_periodic_task_sends_the_digest(university, django_capture_on_commit_callbacks, mailoutbox):
    save(university)
    published(title="江苏视觉", host_province="32")
    assert (
        digest(lambda: send_saved_search_digests.delay().get(), capture=django_capture_on_commit_callbacks)
        == 1
    )
    assert digest(send_saved_search_digests, capture=django_capture_on_commit_callbacks) == 0
    assert [mailed_titles(m) for m in mailoutbox] == [["江苏视觉"]]
    assert "projects.tasks.send_saved_search_digests" in {
        entry["task"] for entry in celery_app.conf.beat_schedule.values()
    }


def test_a_long_list_is_sent_over_several_weeks_each_project_once(
    university, django_capture_on_commit_callbacks, mailoutbox
):
    save(university, query="province=32")
    for i in range(DIGEST_LIMIT + 5):
        published(title=f"项目 {i:02d}", host_province="32")
    assert digest(capture=django_capture_on_commit_callbacks) == 1
    assert digest(capture=django_capture_on_commit_callbacks) == 1
    assert digest(capture=django_capture_on_commit_callbacks) == 0
    first, second = (mailed_titles(m) for m in mailoutbox)
    assert (len(first), len(second)) == (DIGEST_LIMIT, 5)
    assert sorted(first + second) == [f"项目 {i:02d}" for i in range(DIGEST_LIMIT + 5)]


def test_each_saved_search_gets_the_project_once(
    university, other_university, django_capture_on_commit_callbacks, mailoutbox
):
    save(university, query="area=cv")
    save(university, query="province=32", name="江苏")
    save(other_university, query="")
    published(title="江苏视觉", host_province="32")
    assert digest(capture=django_capture_on_commit_callbacks) == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [university.email, university.email, other_university.email]
    )
    assert all(mailed_titles(m) == ["江苏视觉"] for m in mailoutbox)
    assert digest(capture=django_capture_on_commit_callbacks) == 0


def test_no_email_when_nothing_new_matches(university, django_capture_on_commit_callbacks, mailoutbox):
    save(university, query="search=区块链")
    published(title="江苏视觉", host_province="32")
    assert digest(capture=django_capture_on_commit_callbacks) == 0
    assert mailoutbox == [] and not SavedSearchHit.objects.exists()


def test_inactive_users_and_broken_searches_are_skipped(
    university, other_university, django_capture_on_commit_callbacks, mailoutbox
):
    save(university)
    SavedSearch.objects.create(user=other_university, name="旧格式", query="type=bogus")
    university.is_active = False
    university.save(update_fields=["is_active"])
    published(title="江苏视觉", host_province="32")
    assert digest(capture=django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
