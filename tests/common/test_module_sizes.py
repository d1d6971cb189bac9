"""The code's own size rule: a module of the portal under 300 lines (migrations aside), a test
module under 600, so that each is read whole."""

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def longer_than(limit: int, folders: list[str]) -> dict[str, int]:
    found = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                lines = len(path.read_text(encoding="utf-8").splitlines())
                if lines > limit:
                    found[str(path.relative_to(ROOT))] = lines
    return found


@pytest.mark.parametrize(
    ("limit", "folders"),
    [(300, ["portal", "common", "accounts", "projects", "matching", "bench"]), (600, ["tests"])],
)
def test_no_module_is_over_its_limit(limit, folders):
    assert longer_than(limit, folders) == {}
