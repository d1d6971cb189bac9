"""The audit log's hash chain (MLPS 2.0 level 3, tamper evidence), as plain functions over field
values: the service that writes audit events, the migration that chained the existing ones and
`manage.py audit_verify` all hash through here, so they cannot disagree.

Each event's `hash` is SHA-256 over the previous event's hash (by id) and a canonical JSON of the
fields below. Editing, deleting or inserting an event breaks the chain from that event on.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

# Held from reading the last hash to commit, so that two writers never chain onto the same event
# (pg_advisory_xact_lock; a constant of our own, no other lock in the portal uses it).
CHAIN_LOCK_ID = 0x41554449  # "AUDI"

# Every stored field but the id and the hash itself. A field added later must be appended here
# only for events written after it, or the existing chain no longer verifies.
HASHED_FIELDS = (
    "created_at",
    "actor_id",
    "actor_username",
    "content_type_id",
    "object_id",
    "action",
    "from_status",
    "to_status",
    "comment",
    "reason",
)
# Added later: hashed when set, so the events written before it verify as they were.
HASHED_WHEN_SET = ("client_address",)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def event_hash(previous: str, event: Any) -> str:
    """The hash of `event` (any object with the hashed fields as attributes) chained on
    `previous`, the hash of the event before it ("" for the first)."""
    fields = {name: _canonical(getattr(event, name)) for name in HASHED_FIELDS}
    fields.update({name: getattr(event, name) for name in HASHED_WHEN_SET if getattr(event, name, None)})
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((previous + payload).encode()).hexdigest()


def first_broken(events: Iterable[Any]) -> tuple[Any | None, int]:
    """Walk `events` in id order: the first whose stored hash is not the recomputed one (None if
    the chain holds), and how many were checked."""
    previous, count = "", 0
    for event in events:
        count += 1
        expected = event_hash(previous, event)
        if event.hash != expected:
            return event, count
        previous = expected
    return None, count
