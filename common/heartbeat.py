"""When the beat scheduler last ran: written by its every-minute task (accounts.tasks), read by
the operator's /readyz (portal.health), kept in the shared cache."""

import datetime

from django.core.cache import cache
from django.utils import timezone

BEAT_KEY = "health:beat-last-ran"


def beat_ran() -> None:
    cache.set(BEAT_KEY, timezone.now().isoformat(), None)


def beat_last_ran() -> datetime.datetime | None:
    last = cache.get(BEAT_KEY)
    return None if last is None else datetime.datetime.fromisoformat(last)
