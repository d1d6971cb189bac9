"""A life cycle as a table, `(status, action) -> (new status, who may)`, and the one way a status
changes: a compare-and-set update, so that of two clicks or two workers exactly one wins.

The table knows no model, so an app's `workflow.py` declares it without importing its models;
only `Workflow.move` touches the database, through the instance it is given.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Model
from django.utils import timezone

Transitions = Mapping[tuple[str, str], tuple[str, str]]


class Workflow:
    """One life cycle: its rows, the roles that may act in it, and its status move.

    A row `(status, action) -> (new status, who)` says the action is possible from that status,
    leads to the new status (possibly the same one: a step that records something without
    moving on) and may be taken by the role `who`. Whether a user holds a role is for the
    services' permission checks to decide; the table only names it.
    """

    def __init__(
        self,
        transitions: Transitions,
        roles: Iterable[str],
        *,
        field: str = "status",
        stamp: str | None = "updated_at",
    ) -> None:
        self.transitions: dict[tuple[str, str], tuple[str, str]] = dict(transitions)
        self.roles = frozenset(roles)
        unknown = {who for _, who in self.transitions.values()} - self.roles
        if unknown:
            raise ValueError(f"Rows name roles the workflow does not declare: {sorted(unknown)}")
        self.field, self.stamp = field, stamp

    @property
    def statuses(self) -> frozenset[str]:
        """Every status a row leaves or reaches."""
        return frozenset(s for (source, _), (target, _) in self.transitions.items() for s in (source, target))

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(action for _, action in self.transitions)

    def transition(self, status: str, action: str) -> tuple[str, str] | None:
        """(new status, who may) for this action from this status, or None if it is not allowed."""
        return self.transitions.get((status, action))

    def available_actions(self, status: str, roles: Iterable[str]) -> list[str]:
        """The actions someone holding these roles may take from this status, in the table's
        order, each once (what a page shows as buttons)."""
        held = set(roles)
        return list(
            dict.fromkeys(
                action
                for (source, action), (_, who) in self.transitions.items()
                if source == status and who in held
            )
        )

    def next_status(self, status: str, action: str) -> str:
        """The status this action leads to from this one, for a caller that checked it is
        allowed; ValueError where no row allows it."""
        step = self.transitions.get((status, action))
        if step is None:
            raise ValueError(f"No row for {action!r} from {status!r}")
        return step[0]

    def sources(self, action: str, role: str) -> list[str]:
        """The statuses from which this role may take this action."""
        return [
            source for (source, name), (_, who) in self.transitions.items() if name == action and who == role
        ]

    def allows(self, source: str, target: str) -> bool:
        """Whether some row leads from `source` to `target`."""
        return any(s == source and t == target for (s, _), (t, _) in self.transitions.items())

    def move(
        self,
        instance: Model,
        *,
        to: str,
        expected: str | None = None,
        updates: Mapping[str, Any] | None = None,
    ) -> bool:
        """Compare-and-set: write `to` (with `updates` and the time stamp) only if the row still
        has the `expected` status (by default the one the instance was read with), and say
        whether it did; on success the instance carries the new values. Of two moves from the
        same status exactly one succeeds. A move that no row of the table allows is a
        programming error, not a conflict."""
        source = getattr(instance, self.field) if expected is None else expected
        if not self.allows(source, to):
            raise ValueError(f"{type(instance).__name__}: no row leads from {source!r} to {to!r}")
        values = {self.field: to, **(updates or {}), **({self.stamp: timezone.now()} if self.stamp else {})}
        changed = (
            type(instance)._default_manager.filter(pk=instance.pk, **{self.field: source}).update(**values)
        )
        if changed:
            for name, value in values.items():
                setattr(instance, name, value)
        return bool(changed)
