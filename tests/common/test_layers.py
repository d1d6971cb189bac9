"""The dependency direction: `common` ← `accounts` ← `projects` ← `matching`, no app imports
`portal`, and the matching engine imports no Django. Read from the source with `ast`, so an
import inside a function counts as much as one at the top."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LAYERS = ["common", "accounts", "projects", "matching"]


def imported_packages(folder: Path) -> dict[str, set[str]]:
    """Each module of the folder (by path) with the top-level packages it imports absolutely."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(folder))] = names
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_none_to_its_right_nor_portal(layer):
    forbidden = {*LAYERS[LAYERS.index(layer) + 1 :], "portal"}
    wrong = {
        module: sorted(names & forbidden)
        for module, names in imported_packages(ROOT / layer).items()
        if names & forbidden
    }
    assert wrong == {}


def test_the_matching_engine_imports_no_django_and_no_app():
    forbidden = {"django", "rest_framework", "celery", *LAYERS, "portal"}
    wrong = {
        module: sorted(names & forbidden)
        for module, names in imported_packages(ROOT / "matching" / "engine").items()
        if names & forbidden
    }
    assert wrong == {}


def test_the_scan_sees_an_import_inside_a_function(tmp_path):
    (tmp_path / "bad.py").write_text("def f():\n    from projects.models import Proposal\n")
    assert imported_packages(tmp_path) == {"bad.py": {"projects"}}
