"""The review queue with 20,000 submitted proposals renders a page in a bounded number of queries."""

import pytest
from django.utils import timezone

from accounts.models import FocusArea
from projects.models import Proposal, ProposalArea
from tests.factories import CallFactory, EmployerFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def test_review_queue_page_with_20000_submitted_proposals_uses_bounded_queries(
    client_for, ministry, django_assert_max_num_queries
):
    call = CallFactory()
    employers = EmployerFactory.create_batch(50)
    areas = list(FocusArea.objects.all())
    template = ProposalFactory.build(call=call, employer=employers[0])
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Proposal._meta.concrete_fields
        if f.attname not in ("id", "public_id", "employer_id", "status", "title", "submitted_at")
    }
    now = timezone.now()
    rows = [
        Proposal(
            **fields, employer=employers[i % 50], status="submitted", title=f"项目指南 {i}", submitted_at=now
        )
        for i in range(20_000)
    ]
    proposals = Proposal.objects.bulk_create(rows, batch_size=5000)
    ProposalArea.objects.bulk_create(
        (ProposalArea(proposal=p, area=areas[i % len(areas)], weight=1.0) for i, p in enumerate(proposals)),
        batch_size=5000,
    )

    client = client_for(ministry)
    with django_assert_max_num_queries(15):
        response = client.get("/review/?page=200")
    assert response.status_code == 200
    assert "项目指南" in response.content.decode()
    with django_assert_max_num_queries(15):
        assert client.get("/review/?area=cv&flagged=&q=项目").status_code == 200
