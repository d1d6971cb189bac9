"""The audit action catalogue (common/audit.py and each app's audit.py): the apps' source is
scanned for every `audit_record(...)` call, each action it can record is worked out from the
code, and each must be a named constant with a label in English and in Chinese."""

import ast
import importlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from common import audit
from common.audit import AuditAction

APPS = ["common", "accounts", "projects", "matching"]
# AuditEvent.action's max_length.
CODE_LENGTH = 32


@dataclass
class Site:
    module: str
    function: ast.FunctionDef | ast.AsyncFunctionDef | None


@dataclass
class Scan:
    """Every action code the apps' audit_record calls can pass, and the calls that pass
    something that is not a named constant (a string, an f-string, an expression)."""

    trees: dict[str, ast.Module] = field(default_factory=dict)
    # (module, enclosing function or None, call) for every call in the source.
    calls: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef | None, ast.Call]] = field(
        default_factory=list
    )
    codes: dict[str, set[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def load(self, base: Path) -> "Scan":
        for app in APPS:
            for path in sorted((base / app).rglob("*.py")):
                if "migrations" in path.parts:
                    continue
                parts = path.relative_to(base).with_suffix("").parts
                name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
                self.trees[name] = tree = ast.parse(path.read_text(), filename=str(path))
                self._collect(name, tree, None)
        for module, function, call in self.calls:
            if _callee(call) == "audit_record":
                action = _keyword(call, "action")
                if action is None:
                    self.problems.append(f"{module}:{call.lineno}: audit_record without action=")
                else:
                    self._resolve(action, Site(module, function), call.lineno, set())
        return self

    def _collect(self, module: str, node: ast.AST, function) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call):
                self.calls.append((module, function, child))
            self._collect(module, child, inner)

    def _resolve(self, expr: ast.expr, site: Site, line: int, seen: set) -> None:
        where = f"{site.module}:{line}"
        if isinstance(expr, ast.IfExp):
            for branch in (expr.body, expr.orelse):
                self._resolve(branch, site, line, seen)
        elif isinstance(expr, ast.Constant | ast.JoinedStr):
            self.problems.append(
                f"{where}: a free string ({ast.unparse(expr)}); name the action in the app's audit.py"
            )
        elif isinstance(expr, ast.Name) and site.function and expr.id in _parameters(site.function):
            self._passed_through(expr.id, site, where, seen)
        elif isinstance(expr, ast.Name) and site.function and (values := _assigned(site.function, expr.id)):
            for value in values:
                self._resolve(value, site, line, seen)
        elif isinstance(expr, ast.Name | ast.Attribute):
            namespace = vars(importlib.import_module(site.module))
            value = eval(compile(ast.Expression(expr), where, "eval"), namespace)  # noqa: S307
            if isinstance(value, str):
                self.codes.setdefault(str(value), set()).add(where)
            else:
                self.problems.append(f"{where}: {ast.unparse(expr)} is not a code")
        else:
            self.problems.append(f"{where}: cannot tell which action {ast.unparse(expr)} is")

    def _passed_through(self, name: str, site: Site, where: str, seen: set) -> None:
        """The action is a parameter: follow it to every call of the function that passes it."""
        key = (site.module, site.function.name, name)
        if key in seen:
            return
        seen = seen | {key}
        passed = [
            (module, function, call, value)
            for module, function, call in self.calls
            if _callee(call) == site.function.name and (value := _keyword(call, name)) is not None
        ]
        if not passed:
            self.problems.append(f"{where}: no call of {site.function.name}() passes {name}=")
        for module, function, call, value in passed:
            self._resolve(value, Site(module, function), call.lineno, seen)


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _parameters(function) -> set[str]:
    args = function.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _assigned(function, name: str) -> list[ast.expr]:
    return [
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and node.value is not None
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    ]


@pytest.fixture(scope="module")
def scan() -> Scan:
    return Scan().load(Path(settings.BASE_DIR))


def _label_in(language: str, code: str) -> str:
    with translation.override(language):
        return str(audit.action_labels()[code])


def test_every_audit_record_call_names_its_action_with_a_constant(scan):
    assert scan.problems == []


def test_the_scan_follows_actions_passed_through_helpers(scan):
    # A proposal's table action (review._transition), an introduction's (introductions.move),
    # a side's answer (a local chosen by side), a verification (accounts' _change_status).
    assert {
        "submit",
        "send",
        "expire",
        "employer_accepted",
        "university_declined",
        "verified",
        "outcome_returned",
        "interest_not_a_fit",
        "match_run_created",
    } <= set(scan.codes)


def test_every_action_the_source_records_has_a_label_in_english_and_chinese(scan):
    missing = sorted(code for code in scan.codes if code not in audit.action_labels())
    assert missing == [], f"no label in any app's audit.py for {missing}"
    untranslated = sorted(code for code in scan.codes if _label_in("zh-hans", code) == _label_in("en", code))
    assert untranslated == [], f"no Chinese label (locale/zh_Hans) for {untranslated}"


def test_every_declared_action_fits_the_column_and_is_translated():
    declared = audit.action_labels()
    assert {"registered", "call_created", "milestone"} <= set(declared)
    for code in declared:
        assert len(code) <= CODE_LENGTH, code
        assert _label_in("zh-hans", code) != _label_in("en", code), code


def test_each_app_declares_its_actions_in_its_own_module():
    audit.action_labels()
    owners = {catalogue.__module__ for catalogue in AuditAction.__subclasses__()}
    assert {"accounts.audit", "projects.audit", "matching.audit"} <= owners


def test_an_event_reads_its_action_and_statuses_through_the_catalogue():
    from accounts.models import AuditEvent

    event = AuditEvent(action="match_run_published", from_status="submitted", to_status="published")
    with translation.override("en"):
        assert (str(event.action_label), str(event.from_label), str(event.to_label)) == (
            "Matching results published",
            "Submitted, under review",
            "Approved and published",
        )
    assert AuditEvent(action="no_such_action").action_label == "no_such_action"


def test_a_free_string_action_is_refused(tmp_path):
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "x.py").write_text(
        'def f(actor):\n    audit_record(actor=actor, target=actor, action="made_up")\n'
    )
    for app in APPS[1:]:
        (tmp_path / app).mkdir()
    found = Scan().load(tmp_path)
    assert len(found.problems) == 1 and "free string" in found.problems[0]
