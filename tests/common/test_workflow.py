"""The one workflow type (common/workflow.py) and the four life cycles declared with it: every
table walked against its model's status choices, and the apps' source scanned so that no status
of those models changes except through `Workflow.move`."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Model

from common.workflow import Workflow
from matching.brokering import selectors as brokering_selectors
from matching.brokering import workflow as brokering
from matching.models import Introduction, OutcomeReport
from projects import workflow as projects
from projects.models import Interest, Proposal
from tests.factories import ProposalFactory

# (table, its model, its actions, statuses no row reaches yet: nothing marks an interest
# introduced today)
TABLES = {
    "proposal": (projects.PROPOSAL, Proposal, projects.Action, set()),
    "interest": (projects.INTEREST, Interest, projects.InterestAction, {"introduced"}),
    "introduction": (brokering.INTRODUCTION, Introduction, brokering.Action, set()),
    "outcome": (brokering.OUTCOME, OutcomeReport, brokering.OutcomeAction, set()),
}
MODELS = {model.__name__ for _, model, _, _ in TABLES.values()}
APPS = ["accounts", "common", "matching", "projects"]
# Where these models' services live: here no `.status` of anything is written by hand.
GUARDED = ("projects", "matching/brokering")
THE_MOVE = Path("common/workflow.py")


def _choices(model: type[Model]) -> set[str]:
    return {value for value, _ in model._meta.get_field("status").choices}


def _reachable(table: Workflow, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        status = todo.pop()
        for (source, _), (target, _) in table.transitions.items():
            if source == status and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize("name", list(TABLES))
def test_every_row_leads_between_real_statuses_of_the_model(name):
    table, model, _, _ = TABLES[name]
    assert table.statuses <= _choices(model)


@pytest.mark.parametrize("name", list(TABLES))
def test_every_action_has_a_row_and_every_row_can_be_reached(name):
    table, model, actions, unreached = TABLES[name]
    assert table.actions == set(actions.values)
    initial = model._meta.get_field("status").default
    reachable = _reachable(table, initial)
    assert {source for source, _ in table.transitions} <= reachable
    assert _choices(model) - reachable == unreached


def test_the_roles_of_the_tables_are_the_ones_the_services_check():
    assert projects.PROPOSAL.roles == {projects.OWNER, projects.MINISTRY}
    assert brokering.INTRODUCTION.roles == {brokering.MINISTRY, brokering.SIDE, brokering.SYSTEM}
    assert (brokering.EMPLOYER, brokering.UNIVERSITY) == (
        brokering_selectors.EMPLOYER,
        brokering_selectors.UNIVERSITY,
    )


def test_outcome_report_is_sent_back_by_the_university_before_confirming_and_by_staff_after():
    assert brokering.OUTCOME.sources("return", brokering.UNIVERSITY) == ["submitted"]
    assert brokering.OUTCOME.sources("return", brokering.MINISTRY) == ["confirmed"]
    assert brokering.OUTCOME.available_actions("submitted", {brokering.UNIVERSITY}) == ["confirm", "return"]


def test_a_row_naming_an_undeclared_role_is_refused():
    with pytest.raises(ValueError, match="roles"):
        Workflow({("a", "go"): ("b", "someone")}, roles=["other"])


def test_available_actions_list_each_action_once_in_table_order():
    table = Workflow(
        {("a", "go"): ("b", "x"), ("a", "stop"): ("c", "y"), ("b", "go"): ("c", "x")}, roles=["x", "y"]
    )
    assert table.available_actions("a", {"x", "y"}) == ["go", "stop"]
    assert table.available_actions("a", {"y"}) == ["stop"]
    assert table.available_actions("c", {"x", "y"}) == []


@pytest.mark.django_db
def test_of_two_moves_from_the_same_status_exactly_one_wins():
    proposal = ProposalFactory(status="submitted")
    stale = Proposal.objects.get(pk=proposal.pk)
    assert projects.PROPOSAL.move(proposal, to="published", updates={"flags": ["x"]})
    assert (proposal.status, proposal.flags) == ("published", ["x"])
    assert not projects.PROPOSAL.move(stale, to="rejected")
    assert stale.status == "submitted"
    assert Proposal.objects.get(pk=proposal.pk).status == "published"


@pytest.mark.django_db
def test_a_move_no_row_allows_is_a_programming_error():
    proposal = ProposalFactory(status="draft")
    with pytest.raises(ValueError, match="no row"):
        projects.PROPOSAL.move(proposal, to="published")
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _lists_status(node: ast.AST | None) -> bool:
    return isinstance(node, ast.List | ast.Tuple | ast.Set) and any(
        isinstance(e, ast.Constant) and e.value == "status" for e in node.elts
    )


def status_writes(source: str, *, guarded: bool) -> list[int]:
    """Lines that write a `status` by hand: `.update(status=...)` on a queryset named after one
    of the four models, and, in a guarded module (where only they have a status), any
    `.update(status=...)`, `update_fields`/`bulk_update` naming it, `x.status = ...` or
    `setattr(x, "status", ...)`."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            keywords = {k.arg for k in node.keywords}
            if (
                node.func.attr == "update"
                and any(k and k.startswith("status") for k in keywords)
                and (guarded or _names(node.func.value) & MODELS)
            ):
                lines.append(node.lineno)
        if not guarded:
            continue
        if isinstance(node, ast.Call) and (
            any(k.arg == "update_fields" and _lists_status(k.value) for k in node.keywords)
            or (
                isinstance(node.func, ast.Attribute)
                and node.func.attr == "bulk_update"
                and len(node.args) > 1
                and _lists_status(node.args[1])
            )
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
        ):
            lines.append(node.lineno)
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else ([node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else [])
        )
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Attribute) and part.attr == "status":
                    lines.append(node.lineno)
    return lines


def test_the_scan_catches_each_way_of_writing_a_status():
    assert status_writes("Introduction.objects.filter(pk=1).update(status='x')", guarded=False)
    assert status_writes("qs.update(status='x')", guarded=True)
    assert not status_writes("qs.update(status='x')", guarded=False)
    assert status_writes("report.save(update_fields=['status'])", guarded=True)
    assert status_writes("Interest.objects.bulk_update(rows, ['status'])", guarded=True)
    assert status_writes("a.status, a.comment = 'x', ''", guarded=True)
    assert status_writes("setattr(a, 'status', 'x')", guarded=True)
    assert not status_writes("Introduction.objects.filter(status='x').update(places=1)", guarded=True)


def test_no_status_of_the_four_models_changes_outside_the_workflow_move():
    root = Path(settings.BASE_DIR)
    found = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if "migrations" in relative.parts or relative == THE_MOVE:
                continue
            guarded = relative.as_posix().startswith(GUARDED)
            if lines := status_writes(path.read_text(encoding="utf-8"), guarded=guarded):
                found[relative.as_posix()] = lines
    assert found == {}
