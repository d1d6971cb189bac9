"""One filter for a list of proposals (selectors.proposals_filtered): the API's `proposals/`
gives what the review queue gives for the same filters, a main area includes its sub-areas
without repeating a proposal, and `flagged` is three-way in the API."""

import pytest

from projects import selectors
from tests.factories import CallFactory, ProposalFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"


@pytest.fixture
def mixed():
    """Submitted proposals of two calls that differ in type, area, province and flags."""
    spring, autumn = CallFactory(slug="spring"), CallFactory(slug="autumn")
    return {
        "vision": ProposalFactory(call=spring, status="submitted", areas={"cv": 1}),
        "imaging": ProposalFactory(
            call=spring,
            status="submitted",
            areas={"cv.medical_imaging": 2, "cv": 1},
            flags=["equipment_purchase"],
        ),
        "language": ProposalFactory(
            call=spring,
            status="submitted",
            areas={"nlp": 1},
            project_type="directed_training",
            host_province="11",
            training_hours=None,
        ),
        "autumn": ProposalFactory(call=autumn, status="submitted", areas={"ml": 1}),
        "draft": ProposalFactory(call=spring, status="draft", areas={"cv": 1}),
    }


def api_ids(api, **query) -> list[str]:
    response = api.get(API, {"page_size": 100, **query})
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def queue_ids(user, **filters) -> list[str]:
    queue = selectors.review_queue(user=user, filters=selectors.QueueFilters(**filters))
    return sorted(str(proposal.public_id) for proposal in queue)


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        ({"status": "submitted", "area": "cv"}, {"area": "cv"}, {"vision", "imaging"}),
        ({"status": "submitted", "area": "cv.medical_imaging"}, {"area": "cv.medical_imaging"}, {"imaging"}),
        (
            {"status": "submitted", "call": "spring", "province": "11"},
            {"call": "spring", "province": "11"},
            {"language"},
        ),
        (
            {"status": "submitted", "type": "internship_base", "flagged": "true"},
            {"project_type": "internship_base", "flagged": True},
            {"imaging"},
        ),
        ({"status": "submitted", "call": "autumn"}, {"call": "autumn"}, {"autumn"}),
        ({"area": "cv"}, {"area": "cv", "status": ""}, {"vision", "imaging", "draft"}),
    ],
)
def test_the_api_and_the_review_queue_filter_alike(api_for, ministry, mixed, query, filters, expected):
    ids = sorted(str(mixed[name].public_id) for name in expected)
    assert api_ids(api_for(ministry), **query) == queue_ids(ministry, **filters) == ids


def test_flagged_false_in_the_api_lists_the_unflagged_only(api_for, ministry, mixed):
    names = {"vision", "language", "autumn"}
    assert api_ids(api_for(ministry), status="submitted", flagged="false") == sorted(
        str(mixed[name].public_id) for name in names
    )
    assert queue_ids(ministry, flagged=False) == api_ids(
        api_for(ministry), status="submitted", flagged="false"
    )


def test_a_proposal_in_two_sub_areas_is_listed_once(api_for, ministry, mixed):
    response = api_for(ministry).get(API, {"area": "cv", "status": "submitted"})
    ids = [row["id"] for row in response.json()["results"]]
    assert len(ids) == len(set(ids)) == response.json()["count"] == 2
