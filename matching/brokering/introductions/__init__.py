"""Introductions: ministry staff propose, send and cancel them (sending.py); each side accepts or
declines, and unanswered ones expire (answers.py). Accepted and later introductions hold
capacity, which is checked under the project's and the university's row locks so that no two
acceptances can overbook either (capacity.py). The steps every service shares, the table's check,
the compare-and-set move and the notifications, are in steps.py. Everything is importable from
here."""

from .answers import introduction_respond, introductions_expire
from .capacity import check_capacity, lock_pair, project_refresh, share, share_of
from .sending import (
    introduction_cancel,
    introduction_create,
    introduction_send,
    introductions_from_run,
    introductions_send,
)
from .steps import check_allowed, detail_url, move, notify_sides

__all__ = [
    "check_allowed",
    "check_capacity",
    "detail_url",
    "introduction_cancel",
    "introduction_create",
    "introduction_respond",
    "introduction_send",
    "introductions_expire",
    "introductions_from_run",
    "introductions_send",
    "lock_pair",
    "move",
    "notify_sides",
    "project_refresh",
    "share",
    "share_of",
]
