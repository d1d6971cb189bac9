"""The compliance flags set on submission from the staff-maintained phrases: flagged, never
refused, and recomputed on resubmission."""

import pytest

from projects import services
from projects.models import CompliancePhrase, Proposal
from tests.factories import ProposalFactory

# --- compliance flags ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "rule", "phrase"),
    [
        ("description", "学生参加实训需缴纳培训费 800 元。", "fees", "培训费"),
        ("summary", "合作高校需按我方清单采购设备。", "equipment", "采购设备"),
        ("in_kind_support", "配合我司新品的产品推广活动。", "marketing", "产品推广"),
        ("title", "AI bootcamp with a training fee", "fees", "training fee"),
        ("description", "A TRAINING FEE of 500 yuan applies to every student.", "fees", "training fee"),
        ("summary", "Universities must Purchase Equipment from us.", "equipment", "purchase equipment"),
    ],
)
def test_text_with_a_listed_phrase_is_flagged_but_still_submitted(field, text, rule, phrase, employer, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, **{field: text})

    services.proposal_submit(actor=employer, proposal=proposal)

    saved = Proposal.objects.get(pk=proposal.pk)
    assert saved.status == "submitted"
    assert saved.flags == [{"rule": rule, "phrase": phrase}]
    assert saved.is_flagged


def test_clean_text_gets_no_flags(employer, draft):
    services.proposal_submit(actor=employer, proposal=draft)

    saved = Proposal.objects.get(pk=draft.pk)
    assert saved.flags == [] and not saved.is_flagged


def test_every_rule_a_text_breaks_is_flagged(employer, call):
    proposal = ProposalFactory(
        employer=employer.employer, call=call, description="学生需缴纳培训费，合作高校需采购设备。"
    )

    services.proposal_submit(actor=employer, proposal=proposal)

    flags = Proposal.objects.get(pk=proposal.pk).flags
    assert sorted((f["rule"], f["phrase"]) for f in flags) == [("equipment", "采购设备"), ("fees", "培训费")]


def test_a_deactivated_phrase_no_longer_flags(employer, call):
    CompliancePhrase.objects.filter(phrase="培训费").update(active=False)
    proposal = ProposalFactory(employer=employer.employer, call=call, description="学生需缴纳培训费。")

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).flags == []


def test_a_phrase_added_by_staff_flags(employer, call):
    CompliancePhrase.objects.create(rule=CompliancePhrase.Rule.MARKETING, phrase="独家合作伙伴")
    proposal = ProposalFactory(employer=employer.employer, call=call, summary="成为我司独家合作伙伴。")

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).flags == [{"rule": "marketing", "phrase": "独家合作伙伴"}]


def test_flags_are_recomputed_on_resubmission(employer, ministry, call):
    proposal = ProposalFactory(employer=employer.employer, call=call, description="学生需缴纳培训费。")
    services.proposal_submit(actor=employer, proposal=proposal)
    services.proposal_return(actor=ministry, proposal=proposal, comment="不得向学生收费。")
    services.proposal_update(actor=employer, proposal=proposal, fields={"description": "学生免费参加实训。"})

    services.proposal_submit(actor=employer, proposal=proposal)

    assert Proposal.objects.get(pk=proposal.pk).flags == []
