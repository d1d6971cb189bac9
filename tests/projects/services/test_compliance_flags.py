"""The compliance flags set on submission from the staff-maintained phrases and the ACTION …
OBJECT patterns: flagged, never refused, and recomputed on resubmission. The pattern tests need
no database (projects/compliance.py is plain Python); the labelled sentences are in
tests/projects/compliance_sentences.py."""

import subprocess
import sys
from pathlib import Path

import pytest

from projects import compliance, services
from projects.models import CompliancePhrase, Proposal
from tests.factories import ProposalFactory
from tests.projects.compliance_sentences import SENTENCES, measure

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
    # The staff's phrase comes first; a pattern may name the same words again ("缴纳培训费").
    assert saved.flags[0] == {"rule": rule, "phrase": phrase}
    assert {flag["rule"] for flag in saved.flags} == {rule}
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
    assert sorted((f["rule"], f["phrase"]) for f in flags) == [
        ("equipment", "采购设备"),
        ("fees", "培训费"),
        ("fees", "缴纳培训费"),
    ]


def test_a_deactivated_phrase_no_longer_flags(employer, call):
    CompliancePhrase.objects.filter(phrase="培训费").update(active=False)
    proposal = ProposalFactory(employer=employer.employer, call=call, description="学生需缴纳培训费。")

    services.proposal_submit(actor=employer, proposal=proposal)

    # The phrase is gone; the patterns still read the wording.
    assert Proposal.objects.get(pk=proposal.pk).flags == [{"rule": "fees", "phrase": "缴纳培训费"}]


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


# --- patterns: ACTION … OBJECT ---------------------------------------------------------------


def rules(text: str, **options) -> set[str]:
    return {hit.rule for hit in compliance.pattern_hits(text, **options)}


def test_buying_a_licence_written_with_other_words_is_flagged():
    assert compliance.pattern_hits("参与高校需采购我司视觉检测软件授权。") == [("equipment", "采购…软件")]


@pytest.mark.parametrize(
    ("text", "rule", "phrase"),
    [
        ("学生参加实训需缴纳培训费 800 元。", "fees", "缴纳培训费"),
        ("企业将向参与学生收取每人 3000 元的服务费。", "fees", "收取…服务费"),
        ("项目期间高校需协助推广我司智能客服产品。", "marketing", "推广…产品"),
        ("Partner universities must Purchase a Licence for our software.", "equipment", "Purchase…Licence"),
        ("The partner school agrees to market our cloud services.", "marketing", "market…services"),
    ],
)
def test_the_action_and_object_are_shown_as_written(text, rule, phrase):
    assert compliance.pattern_hits(text) == [(rule, phrase)]


@pytest.mark.parametrize(
    "text",
    [
        "不收取学生任何费用。",
        "本项目严禁向学生收取任何费用。",
        "学生无需缴纳培训费，食宿由企业承担。",
        "高校不得被要求购买任何设备或软件。",
        "本项目不会收取押金或保证金。",
        "Students will not pay any tuition or deposit.",
        "Universities are never required to buy software or equipment from us.",
        "The company provides all equipment free of charge.",
    ],
)
def test_a_negation_before_the_action_is_not_flagged(text):
    assert rules(text) == set()


def test_a_negation_between_the_action_and_the_object_is_not_flagged():
    assert rules("Participation is free: students pay no fees.") == set()


def test_the_same_sentence_without_its_negation_is_flagged():
    assert rules("本项目严禁向学生收取任何费用。", negation=False) == {"fees"}


def test_a_negation_in_the_previous_clause_does_not_clear_the_next():
    assert rules("合作高校无需自备服务器，但需购买我司推理平台授权。") == {"equipment"}


def test_an_object_in_the_next_clause_is_not_joined_to_the_action():
    assert rules("推广人工智能技术，服务区域制造业转型升级。") == set()
    assert rules("高校可选用开源软件完成实训，无需采购。设备由企业提供。") == set()


@pytest.mark.parametrize(
    "text",
    ["推广人工智能技术在制造业的应用。", "We will promote the adoption of AI technology in manufacturing."],
)
def test_promoting_a_technology_is_not_marketing(text):
    assert rules(text) == set()


def test_promoting_the_company_s_products_is_marketing():
    assert rules("合作院校应向学生宣传并推销本公司的学习机产品。") == {"marketing"}
    assert rules("Universities will promote our products to their students.") == {"marketing"}


def test_free_equipment_from_the_enterprise_is_not_flagged():
    assert rules("企业为学生提供免费设备。") == set()
    assert rules("实训所需设备与软件授权均由企业免费提供。") == set()


def test_an_object_further_than_the_window_is_not_joined():
    text = "高校应订购本企业开发的智能制造教学平台账号。"  # 平台 is the eighth word after 订购

    assert rules(text) == set()
    assert rules(text, window=8) == {"equipment"}


def test_charging_in_one_word_is_flagged_unless_negated():
    assert compliance.pattern_hits("项目将按课时向参训学生收费。") == [("fees", "收费")]
    assert rules("项目不收费。") == set()


def test_a_modal_joined_to_the_action_and_a_number_with_a_comma_are_read_through():
    assert compliance.pattern_hits("每名学生需交 2,000 元押金。") == [("fees", "需交…押金")]


def test_an_object_inside_a_compound_or_cut_in_two_is_found():
    assert compliance.pattern_hits("需要合作高校购置我司的教学设备。") == [("equipment", "购置…教学设备")]
    assert compliance.pattern_hits("合作院校须购置实训课程包。") == [("equipment", "购置…课程包")]


def test_a_text_breaking_two_rules_is_flagged_for_both_in_the_order_of_the_text():
    hits = compliance.pattern_hits("Universities buy our software and students pay the training fees.")

    assert hits == [("equipment", "buy…software"), ("fees", "pay…fees")]


def test_the_same_wording_twice_is_one_hit():
    assert compliance.pattern_hits("学生需缴纳押金。学生需缴纳押金。") == [("fees", "缴纳押金")]


def test_the_pattern_rules_are_the_model_s_rules():
    assert set(compliance.PATTERNS) == set(CompliancePhrase.Rule.values)


def test_the_matcher_imports_no_django():
    check = "import sys, projects.compliance; sys.exit(any(m.startswith('django') for m in sys.modules))"

    root = Path(__file__).resolve().parents[3]

    assert subprocess.run([sys.executable, "-c", check], cwd=root, check=False).returncode == 0


def test_recall_and_precision_on_the_labelled_sentences_are_at_least_ninety_percent():
    score = measure(rules)["all"]

    assert len(SENTENCES) == 60 and score.true_positives + score.false_negatives >= 30
    assert score.recall >= 0.9, score
    assert score.precision >= 0.9, score


# --- phrases and patterns together ------------------------------------------------------------


def test_a_staff_phrase_comes_before_the_patterns_and_no_rule_and_phrase_repeats():
    phrases = [("equipment", "purchase equipment"), ("fees", "培训费")]
    texts = ["Universities must Purchase Equipment.", "学生需缴纳培训费。学生需缴纳培训费。"]

    assert compliance.flags(texts, phrases) == [
        {"rule": "equipment", "phrase": "purchase equipment"},
        {"rule": "fees", "phrase": "培训费"},
        {"rule": "fees", "phrase": "缴纳培训费"},
    ]


def test_a_pattern_never_spans_two_fields():
    assert compliance.flags(["高校需采购", "设备清单见附件"], []) == []


def test_wording_no_phrase_lists_is_flagged_on_submission(employer, call):
    proposal = ProposalFactory(
        employer=employer.employer, call=call, description="参与高校需采购我司视觉检测软件授权。"
    )

    services.proposal_submit(actor=employer, proposal=proposal)

    saved = Proposal.objects.get(pk=proposal.pk)
    assert saved.status == "submitted"
    assert saved.flags == [{"rule": "equipment", "phrase": "采购…软件"}]
