"""The introductions' pages, ministry staff's part: introductions made by hand (field errors
for bad input), proposed from a run's pairs, sent in bulk or one by one, and cancelled."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, VerificationStatus
from matching.models import Candidate, Introduction, MatchRun
from tests.factories import UniversityFactory
from tests.pages import field_errors, flashed

from .common import published, room, state
from .introduction_pages import (
    BULK_SEND,
    CREATE,
    LIST,
    LOGIN,
    PROPOSED_LIST,
    _english_pages_fixture,  # noqa: F401
    bulk_job,
    bulk_send,
    detail,
    text,
    url,
)

pytestmark = pytest.mark.django_db


# Making introductions by hand


def by_hand(project, university_org, **extra) -> dict:
    return {
        "project": str(project.public_id),
        "institution_code": university_org.institution_code,
        "message": "建议双方就工业视觉实习基地对接。",
        **extra,
    }


def test_ministry_staff_introduce_a_project_and_a_university_by_hand(
    client_for, ministry, project, university
):
    client = client_for(ministry)
    page = client.get(LIST)
    assert 'id="introduce-by-hand"' in text(page)
    response = client.post(CREATE, by_hand(project, university.university))
    made = Introduction.objects.get()
    assert response.status_code == 302 and response.url == detail(made)
    assert (made.status, made.proposal, made.university, made.broker, made.places) == (
        "proposed",
        project,
        university.university,
        ministry,
        20,
    )
    assert made.message == "建议双方就工业视觉实习基地对接。"
    assert "The introduction was proposed; send it when ready." in flashed(response)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"project": "00000000-0000-4000-8000-000000000000"}, "project"),
        ({"project": "not-a-uuid"}, "project"),
        ({"project": ""}, "project"),
        ({"institution_code": "9999999999"}, "institution_code"),
        ({"institution_code": "123"}, "institution_code"),
        ({"institution_code": ""}, "institution_code"),
        ({"message": "长" * 2001}, "message"),
    ],
)
def test_bad_hand_made_input_gets_field_errors_and_makes_nothing(
    client_for, ministry, project, university, change, field
):
    response = client_for(ministry).post(CREATE, {**by_hand(project, university.university), **change})
    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Introduction.objects.exists()


def test_neither_project_nor_university_gets_both_errors(client_for, ministry):
    response = client_for(ministry).post(CREATE, {})
    assert response.status_code == 400
    assert {"project", "institution_code"} <= set(field_errors(response))
    assert not Introduction.objects.exists()


def test_unknown_project_and_university_are_both_named(client_for, ministry):
    response = client_for(ministry).post(
        CREATE, {"project": "00000000-0000-4000-8000-000000000000", "institution_code": "9999999999"}
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["project"] == ["No project has this id."]
    assert errors["institution_code"] == ["No university has this institution code."]


@pytest.mark.parametrize(
    ("fix", "message"),
    [
        ("draft", "Only published projects can be introduced."),
        ("pending", "Only verified universities can be introduced."),
    ],
)
def test_an_unpublished_project_or_unverified_university_is_refused(
    client_for, ministry, project, university, fix, message
):
    if fix == "draft":
        type(project).objects.filter(pk=project.pk).update(status="draft")
    else:
        type(university.university).objects.filter(pk=university.university_id).update(
            status=VerificationStatus.PENDING
        )
    response = client_for(ministry).post(CREATE, by_hand(project, university.university))
    assert response.status_code == 400
    assert message in text(response)
    assert not Introduction.objects.exists()


def test_a_second_open_introduction_of_a_pair_is_refused(
    client_for, ministry, project, university, introduce
):
    introduce("sent")
    response = client_for(ministry).post(CREATE, by_hand(project, university.university))
    assert response.status_code == 400
    assert "This project and university already have an open introduction." in text(response)
    assert Introduction.objects.count() == 1


def test_a_pair_whose_introduction_ended_can_be_introduced_again(
    client_for, ministry, project, university, introduce
):
    introduce("declined")
    response = client_for(ministry).post(CREATE, by_hand(project, university.university))
    assert response.status_code == 302
    assert sorted(Introduction.objects.values_list("status", flat=True)) == ["declined", "proposed"]


# From a run


@pytest.fixture
def run(ministry, project, university, other_university):
    """A succeeded run of the project's call proposing three pairs and scoring a fourth."""
    room(other_university.university)
    second = published(project.employer, call=project.call, student_places=30, partners_sought=1)
    run = MatchRun.objects.create(
        call=project.call,
        created_by=ministry,
        status="succeeded",
        progress=100,
        finished_at=timezone.now(),
        weights={"area": 0.6, "capacity": 0.15, "region": 0.15, "interest": 0.1},
        summary={"proposed": 3, "candidates": 4},
    )
    pairs = [
        (project, university.university, True),
        (project, other_university.university, True),
        (second, university.university, True),
        (second, other_university.university, False),
    ]
    Candidate.objects.bulk_create(
        Candidate(
            run=run,
            proposal=p,
            university=u,
            score=0.5,
            area_fit=0.5,
            capacity_fit=0.5,
            region=0.5,
            interest=0.0,
            rank=rank,
            proposed=proposed,
        )
        for rank, (p, u, proposed) in enumerate(pairs, start=1)
    )
    return run


def from_run(run) -> str:
    return reverse("brokering:introductions-from-run", args=[run.public_id])


def test_the_run_page_proposes_introductions_from_its_pairs(client_for, ministry, run):
    client = client_for(ministry)
    page = client.get(reverse("matching:run-detail", args=[run.public_id]))
    assert page.status_code == 200
    assert f'action="{from_run(run)}"' in text(page)
    response = client.post(from_run(run))
    assert response.status_code == 302
    assert response.url == f"{LIST}?status=proposed&call={run.call.slug}"
    assert "3 introductions were proposed from the run; review and send them." in flashed(response)
    made = Introduction.objects.all()
    assert {i.status for i in made} == {"proposed"} and made.count() == 3
    assert {i.candidate.run_id for i in made} == {run.pk}
    listed = client.get(response.url)
    assert {i.pk for i in listed.context["page"]} == {i.pk for i in made}
    assert text(listed).count('name="ids"') == 3
    assert client.post(from_run(run)).status_code == 302
    assert Introduction.objects.count() == 3


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_an_unfinished_run_proposes_nothing(client_for, ministry, run, status):
    MatchRun.objects.filter(pk=run.pk).update(status=status)
    response = client_for(ministry).post(from_run(run))
    assert response.status_code == 302
    assert response.url == reverse("matching:run-detail", args=[run.public_id])
    assert "Only a succeeded run's proposals can be introduced." in flashed(response)
    assert not Introduction.objects.exists()


def test_an_unknown_run_is_404(client_for, ministry, run):
    response = client_for(ministry).post(
        reverse("brokering:introductions-from-run", args=["00000000-0000-4000-8000-000000000000"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "code"),
    [("employer", 403), ("university", 403), ("pending_employer", 403), ("anonymous", "login")],
)
def test_only_ministry_staff_propose_from_a_run(request, client_for, run, persona, code):
    response = client_for(request.getfixturevalue(persona)).post(from_run(run))
    if code == "login":
        assert response.status_code == 302 and response.url.startswith(LOGIN)
    else:
        assert response.status_code == code
    assert not Introduction.objects.exists()


# Sending


def test_ministry_staff_send_the_ticked_proposed_introductions(
    client_for, ministry, employer, university, introduce, django_capture_on_commit_callbacks, mailoutbox
):
    first, second = introduce("proposed"), introduce("proposed", to=UniversityFactory())
    room(second.university)
    left = introduce("proposed", to=UniversityFactory())
    client = client_for(ministry)
    page = client.get(PROPOSED_LIST)
    assert 'id="bulk-selected"' in text(page) and "All 3 matching these filters" in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_job(
            client.post(BULK_SEND, bulk_send([first.public_id, second.public_id], message="请在两周内答复。"))
        )
    assert (job.done, job.succeeded) == (2, 2)
    for introduction in (first, second):
        introduction.refresh_from_db()
        assert (introduction.status, introduction.message) == ("sent", "请在两周内答复。")
        assert introduction.expires_at > timezone.now()
    left.refresh_from_db()
    assert left.status == "proposed"
    assert employer.email in {address for m in mailoutbox for address in m.to}
    assert university.email in {address for m in mailoutbox for address in m.to}


@pytest.mark.parametrize("ticked", [[], ["not-a-uuid"], [""]])
def test_an_empty_selection_sends_nothing(client_for, ministry, introduce, ticked):
    draft = introduce("proposed")
    response = client_for(ministry).post(BULK_SEND, bulk_send(ticked, message=""))
    assert response.status_code == 302 and response.url == PROPOSED_LIST
    assert flashed(response) == ["Select at least one item."]
    draft.refresh_from_db()
    assert draft.status == "proposed"


def test_an_unknown_or_already_sent_introduction_is_refused_with_its_reason(client_for, ministry, introduce):
    sent = introduce("sent", to=UniversityFactory())
    before = state(sent)
    unknown = "00000000-0000-4000-8000-000000000000"
    job = bulk_job(client_for(ministry).post(BULK_SEND, bulk_send([sent.public_id, unknown])))
    assert (job.done, job.succeeded) == (2, 0)
    assert [row["ok"] for row in job.results] == [False, False]
    assert job.results[1] == {
        "label": unknown,
        "url": "",
        "ok": False,
        "reason": "Not found, or not yours to change.",
    }
    assert state(sent) == before


def test_an_introduction_over_capacity_is_named_and_the_others_are_sent(client_for, ministry, introduce):
    fits = introduce("proposed")
    full = introduce("proposed", to=UniversityFactory(name="满额大学"))
    room(full.university, places=5)
    job = bulk_job(client_for(ministry).post(BULK_SEND, bulk_send([fits.public_id, full.public_id])))
    assert job.succeeded == 1
    refused = [row for row in job.results if not row["ok"]]
    assert "满额大学" in refused[0]["label"] and "student places left" in refused[0]["reason"]
    assert Introduction.objects.get(pk=fits.pk).status == "sent"
    assert Introduction.objects.get(pk=full.pk).status == "proposed"


def test_ministry_staff_send_one_introduction_with_a_message(client_for, ministry, introduce):
    introduction = introduce("proposed")
    client = client_for(ministry)
    assert 'id="send-introduction"' in text(client.get(detail(introduction)))
    response = client.post(url("introduction-send", introduction), {"message": "请尽快答复。"})
    assert response.status_code == 302 and response.url == detail(introduction)
    assert "The introduction was sent to both sides." in flashed(response)
    introduction.refresh_from_db()
    assert (introduction.status, introduction.message, introduction.broker) == (
        "sent",
        "请尽快答复。",
        ministry,
    )


def test_sending_without_a_message_keeps_the_one_written(client_for, ministry, introduce):
    introduction = introduce("proposed", message="原推荐语。")
    client_for(ministry).post(url("introduction-send", introduction), {"message": ""})
    introduction.refresh_from_db()
    assert (introduction.status, introduction.message) == ("sent", "原推荐语。")


def test_sending_twice_is_a_message(client_for, ministry, introduce):
    introduction = introduce("sent")
    response = client_for(ministry).post(url("introduction-send", introduction), {})
    assert response.status_code == 302
    assert any("not possible" in m for m in flashed(response))


def test_ministry_staff_cancel_an_introduction(client_for, ministry, introduce):
    introduction = introduce("accepted")
    response = client_for(ministry).post(
        url("introduction-cancel", introduction), {"comment": "企业调整计划。"}
    )
    assert response.status_code == 302
    assert "The introduction was cancelled." in flashed(response)
    introduction.refresh_from_db()
    assert introduction.status == "cancelled"
    assert AuditEvent.objects.filter(action="cancel", comment="企业调整计划。").exists()
