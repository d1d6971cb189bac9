"""What the service tests share: Beijing time, a frozen clock, file contents, and readers of the
stored proposal, its audit events and its focus-area weights."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from accounts.models import AuditEvent
from projects.models import Proposal
from tests.factories import plain_pdf

SH = ZoneInfo("Asia/Shanghai")
PDF = plain_pdf()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
MB = 1024 * 1024


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def frozen(moment: datetime):
    return time_machine.travel(moment, tick=False)


def audit_events(target):
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(target)), object_id=target.pk
    )


def stored(proposal: Proposal) -> dict:
    return Proposal.objects.values().get(pk=proposal.pk)


def area_weights(proposal: Proposal) -> dict[str, float]:
    return {row.area.code: row.weight for row in proposal.area_weights.select_related("area")}


def messages(exc: pytest.ExceptionInfo) -> str:
    return " ".join(exc.value.messages)
