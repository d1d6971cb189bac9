"""Full-text search of the catalogue: Chinese text found by a word it contains, every word of the
query required, on SQLite's fallback and on PostgreSQL (where the GIN index must serve it)."""

import pytest
from django.db import connection
from django.utils import timezone

from projects import search, selectors
from projects.models import Proposal
from projects.services.proposals import search_document
from tests.factories import EmployerFactory, ProposalFactory

pytestmark = pytest.mark.django_db

TITLE = "工业视觉质检就业实习基地"


def published(**kwargs) -> Proposal:
    """A published project whose search document is written as the approval writes it."""
    proposal = ProposalFactory(status="published", decided_at=timezone.now(), **kwargs)
    proposal.search_document = search_document(proposal)
    proposal.save(update_fields=["search_document"])
    return proposal


def found(text: str) -> set[str]:
    return set(search.search(selectors.catalogue(), text).values_list("title", flat=True))


@pytest.fixture
def projects():
    published(
        title=TITLE,
        summary="缺陷检测实习。",
        description="产线数据标注与模型部署。",
        employer=EmployerFactory(name="苏州精密制造有限公司"),
    )
    published(
        title="医学影像智能诊断定向培养",
        summary="肺结节检测。",
        description="三甲医院影像科。",
        employer=EmployerFactory(name="华东医疗科技集团"),
    )
    published(
        title="Large Language Model Fine-tuning Bootcamp",
        summary="Instruction tuning.",
        description="Students fine-tune open models.",
        employer=EmployerFactory(name="DeepSeek"),
    )


@pytest.mark.parametrize("word", ["视觉", "质检", "实习基地", "工业", "视觉质检", "工业视觉质检就业实习基地"])
def test_chinese_text_is_found_by_a_word_it_contains(projects, word):
    assert found(word) == {TITLE}


def test_summary_and_description_are_searched(projects):
    assert found("缺陷检测") == {TITLE}
    assert found("肺结节") == {"医学影像智能诊断定向培养"}
    assert found("数据标注") == {TITLE}


def test_a_two_word_query_needs_both_words(projects):
    assert found("视觉 质检") == {TITLE}
    assert found("检测") == {TITLE, "医学影像智能诊断定向培养"}
    assert found("检测 医学") == {"医学影像智能诊断定向培养"}
    assert found("视觉 医学") == set()


def test_english_is_found_whatever_the_case(projects):
    expected = {"Large Language Model Fine-tuning Bootcamp"}
    assert found("language") == expected
    assert found("LARGE Language") == expected
    assert found("bootcamp instruction") == expected
    assert found("language vision") == set()


def test_the_employers_name_is_searched(projects):
    assert found("精密制造") == {TITLE}
    assert found("deepseek") == {"Large Language Model Fine-tuning Bootcamp"}


@pytest.mark.parametrize("word", ["区块链", "量子", "blockchain"])
def test_a_word_that_is_in_no_project_finds_nothing(projects, word):
    assert found(word) == set()


@pytest.mark.parametrize("text", ["", "   ", "，。！"])
def test_a_query_without_words_leaves_the_list_alone(projects, text):
    assert len(found(text)) == 3


def test_unpublished_projects_are_not_found(projects):
    draft = ProposalFactory(title="工业视觉检测草稿")
    draft.search_document = search_document(draft)
    draft.save(update_fields=["search_document"])
    assert found("视觉") == {TITLE}


def test_an_approved_proposal_is_searchable(employer, ministry):
    from projects import services

    proposal = ProposalFactory(employer=employer.employer, title="机器人巡检实训基地", status="submitted")
    services.proposal_approve(actor=ministry, proposal=proposal)
    assert found("巡检") == {"机器人巡检实训基地"}


@pytest.mark.services
def test_postgresql_search_uses_the_gin_index(projects):
    """The index expression (migration 0005) must equal the SQL SearchVector writes, or the
    planner cannot use the index and every search reads the whole catalogue."""
    other = Proposal.objects.filter(title=TITLE).get()
    Proposal.objects.bulk_create(
        Proposal(
            employer_id=other.employer_id,
            call_id=other.call_id,
            project_type="internship_base",
            title=f"智能客服 {i}",
            status="published",
            decided_at=timezone.now(),
            search_document=f"智能 客服 对话 {i}",
        )
        for i in range(400)
    )
    with connection.cursor() as cursor:
        # Earlier tests' rolled-back inserts leave the index with dead entries and a pending list,
        # which the planner prices; rebuilt, it is priced as in a live catalogue.
        cursor.execute("REINDEX INDEX projects_proposal_search_gin")
        cursor.execute("ANALYZE projects_proposal")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search.search(selectors.catalogue(), "视觉 质检").explain()
    assert "projects_proposal_search_gin" in plan, plan
