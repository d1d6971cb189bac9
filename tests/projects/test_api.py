"""The proposals and calls API: the persona matrix, bad input, the workflow's 409s."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from projects.models import Call, Proposal
from tests.factories import CallFactory, ProposalFactory, plain_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return CallFactory(slug="ai-2027")


@pytest.fixture
def draft(employer, call):
    return ProposalFactory(employer=employer.employer, call=call, areas={"cv": 3, "ml": 1})


def url(proposal, action=""):
    return f"/api/v1/proposals/{proposal.public_id}/" + (f"{action}/" if action else "")


def test_employer_creates_a_draft_with_normalised_areas(api_for, employer, call):
    response = api_for(employer).post(
        "/api/v1/proposals/",
        {
            "call": "ai-2027",
            "project_type": "directed_training",
            "title": "NLP 定向培养",
            "areas": {"nlp": 3, "nlp.dialogue": 1},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["areas"] == {"nlp": 0.75, "nlp.dialogue": 0.25}
    assert body["actions"] == ["submit", "withdraw"]
    assert Proposal.objects.get(public_id=body["id"]).employer == employer.employer


@pytest.mark.parametrize(
    "body, field",
    [
        ({"call": "no-such-call", "project_type": "internship_base", "title": "t"}, "call"),
        ({"call": "ai-2027", "project_type": "bogus", "title": "t"}, "project_type"),
        ({"call": "ai-2027", "project_type": "internship_base", "title": "t", "areas": {"xx": 1}}, "areas"),
        ({"call": "ai-2027", "project_type": "internship_base", "title": "t", "areas": ["cv"]}, "areas"),
        (
            {"call": "ai-2027", "project_type": "internship_base", "title": "t", "student_places": -3},
            "student_places",
        ),
        ({"call": "ai-2027", "project_type": "internship_base"}, "title"),
        (
            {
                "call": "ai-2027",
                "project_type": "internship_base",
                "title": "t",
                "status": "published",
                "host_province": "99",
            },
            "host_province",
        ),
    ],
)
def test_bad_proposal_input_is_a_400_that_writes_nothing(api_for, employer, call, body, field):
    response = api_for(employer).post("/api/v1/proposals/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Proposal.objects.exists()


def test_malformed_json_is_a_400(api_for, employer, call):
    response = api_for(employer).post("/api/v1/proposals/", "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "persona, expected",
    [("university", 403), ("ministry", 403), ("pending_employer", 403), ("anonymous", 401)],
)
def test_only_verified_employers_create_proposals(request, api_for, call, persona, expected):
    user = request.getfixturevalue(persona)
    response = api_for(user).post(
        "/api/v1/proposals/",
        {"call": "ai-2027", "project_type": "internship_base", "title": "t"},
        format="json",
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    "persona, expected",
    [("employer", 200), ("ministry", 200), ("other_employer", 404), ("university", 404), ("anonymous", 404)],
)
def test_a_draft_is_seen_only_by_its_employer_and_the_ministry(request, api_for, draft, persona, expected):
    response = api_for(request.getfixturevalue(persona)).get(url(draft))
    assert response.status_code == expected


def test_published_proposals_are_public_but_flags_and_history_are_not(api_for, employer, university, draft):
    Proposal.objects.filter(pk=draft.pk).update(
        status="published", flags=[{"rule": "fees", "phrase": "培训费"}]
    )
    public = api_for(None).get(url(draft)).json()
    assert public["status"] == "published" and public["flags"] is None
    assert api_for(employer).get(url(draft)).json()["flags"] == [{"rule": "fees", "phrase": "培训费"}]
    assert api_for(university).get(url(draft, "events")).status_code == 403
    assert api_for(None).get(url(draft, "events")).status_code == 401


def test_list_shows_each_persona_only_what_it_may_see(
    api_for, employer, other_employer, ministry, call, django_assert_max_num_queries
):
    mine = ProposalFactory(employer=employer.employer, call=call)
    theirs = ProposalFactory(employer=other_employer.employer, call=call)
    published = ProposalFactory.create_batch(
        5, employer=other_employer.employer, call=call, status="published"
    )
    ids = lambda user: {row["id"] for row in api_for(user).get("/api/v1/proposals/").json()["results"]}  # noqa: E731
    public_ids = {str(p.public_id) for p in published}
    assert ids(employer) == public_ids | {str(mine.public_id)}
    assert ids(None) == public_ids
    with django_assert_max_num_queries(8):
        assert ids(ministry) == public_ids | {str(mine.public_id), str(theirs.public_id)}


def test_list_filters_and_bad_filter_values(api_for, employer, call):
    ProposalFactory(
        employer=employer.employer, call=call, status="published", areas={"cv.medical_imaging": 1}
    )
    ProposalFactory(
        employer=employer.employer, call=call, status="published", areas={"nlp": 1}, host_province="11"
    )
    api = api_for(None)
    assert api.get("/api/v1/proposals/?area=cv").json()["count"] == 1  # a parent includes its sub-areas
    assert api.get("/api/v1/proposals/?province=11").json()["count"] == 1
    assert api.get("/api/v1/proposals/?call=ai-2027&type=internship_base").json()["count"] == 2
    assert api.get("/api/v1/proposals/?province=99").status_code == 400
    assert api.get("/api/v1/proposals/?status=nonsense").status_code == 400
    assert api.get("/api/v1/proposals/?page=9999").status_code == 404


def test_full_review_cycle_through_the_api(api_for, employer, ministry, draft):
    owner, reviewer = api_for(employer), api_for(ministry)
    assert owner.post(url(draft, "submit")).json()["status"] == "submitted"
    assert (
        reviewer.post(url(draft, "return"), {"comment": "请补充实习岗位说明"}, format="json").json()["status"]
        == "returned"
    )
    assert owner.patch(url(draft), {"summary": "已补充岗位说明"}, format="json").status_code == 200
    assert owner.post(url(draft, "submit")).json()["status"] == "submitted"
    assert (
        reviewer.post(url(draft, "approve"), {"comment": ""}, format="json").json()["status"] == "published"
    )
    events = owner.get(url(draft, "events")).json()
    assert [e["action"] for e in events] == ["submit", "return", "proposal_edited", "submit", "approve"]
    assert events[1]["comment"] == "请补充实习岗位说明" and events[1]["actor"] == "ministry"


def test_illegal_transitions_are_409_and_change_nothing(api_for, employer, ministry, draft):
    assert api_for(ministry).post(url(draft, "approve")).status_code == 409
    api_for(employer).post(url(draft, "submit"))
    assert api_for(employer).post(url(draft, "submit")).status_code == 409
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert AuditEvent.objects.filter(action="approve").count() == 0


def test_reviewer_actions_need_the_ministry_and_their_inputs(
    api_for, employer, other_employer, ministry, draft
):
    api_for(employer).post(url(draft, "submit"))
    assert api_for(employer).post(url(draft, "approve")).status_code == 403
    assert api_for(other_employer).post(url(draft, "approve")).status_code == 404
    assert api_for(ministry).post(url(draft, "return"), {"comment": " "}, format="json").status_code == 400
    assert api_for(ministry).post(url(draft, "reject"), {"reason": "bogus"}, format="json").status_code == 400
    response = api_for(ministry).post(
        url(draft, "reject"), {"reason": "duplicate", "comment": "与另一指南重复"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert AuditEvent.objects.get(action="reject").reason == "duplicate"


def test_submit_with_missing_fields_lists_every_one(api_for, employer, call):
    proposal = ProposalFactory(
        employer=employer.employer,
        call=call,
        summary="",
        host_city="",
        internship_places_per_year=None,
        areas={},
    )
    response = api_for(employer).post(url(proposal, "submit"))
    assert response.status_code == 400
    assert {"summary", "host_city", "internship_places_per_year", "areas"} <= set(response.json())
    proposal.refresh_from_db()
    assert proposal.status == "draft"


def test_submit_after_the_deadline_is_refused_whatever_the_client(api_for, employer, call, draft):
    Call.objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    response = api_for(employer).post(url(draft, "submit"))
    assert response.status_code == 400
    assert "closed" in str(response.json()) or "截止" in str(response.json())
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_pdf_attachments_are_checked_by_content(api_for, employer, draft, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    api = api_for(employer)
    fake = SimpleUploadedFile("plan.pdf", b"\x89PNG\r\n\x1a\n....", content_type="application/pdf")
    assert api.post(url(draft, "attachments"), {"file": fake}, format="multipart").status_code == 400
    real = SimpleUploadedFile("plan.pdf", plain_pdf(), content_type="application/pdf")
    response = api.post(url(draft, "attachments"), {"file": real}, format="multipart")
    assert response.status_code == 201
    assert [a["name"] for a in response.json()["attachments"]] == ["plan.pdf"]


def test_calls_are_public_to_read_and_ministry_to_write(api_for, employer, ministry, call):
    assert api_for(None).get("/api/v1/calls/").json()["results"][0]["phase"] == "open"
    body = {
        "slug": "ai-2028",
        "name": "2028 年人工智能领域",
        "year": 2028,
        "opens_at": "2028-03-01T09:00:00+08:00",
        "closes_at": "2028-04-30T23:59:59+08:00",
    }
    assert api_for(employer).post("/api/v1/calls/", body, format="json").status_code == 403
    assert api_for(ministry).post("/api/v1/calls/", body, format="json").status_code == 201
    backwards = {**body, "slug": "ai-2029", "closes_at": "2028-02-01T00:00:00+08:00"}
    assert api_for(ministry).post("/api/v1/calls/", backwards, format="json").status_code == 400
    extended = api_for(ministry).patch(
        "/api/v1/calls/ai-2028/", {"closes_at": "2028-05-07T23:59:59+08:00"}, format="json"
    )
    assert extended.status_code == 200
    assert Call.objects.get(slug="ai-2028").closes_at.isoformat() == "2028-05-07T15:59:59+00:00"
