"""What the proposal page tests share: the pages' URLs, readers of a response and of the stored
status, shortcuts that take a proposal through the services, and an uploaded PDF."""

from html import unescape
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from projects import services
from projects.models import Proposal
from tests.factories import plain_pdf

SH = ZoneInfo("Asia/Shanghai")
PDF = plain_pdf()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
MB = 1024 * 1024
LOGIN = reverse("accounts:login")
DASHBOARD = reverse("projects:dashboard")
NEW = reverse("projects:proposal-create")
QUEUE = reverse("projects:review-queue")
BULK = reverse("accounts:bulk-start")
BULK_CONFIRM = reverse("accounts:bulk-confirm")
CALLS = reverse("projects:call-list")
NEW_CALL = reverse("projects:call-create")


def url(name: str, proposal, *args) -> str:
    return reverse(f"projects:{name}", args=[proposal.public_id, *args])


def text(response) -> str:
    return unescape(response.content.decode())


def is_login_redirect(response, next_url: str) -> bool:
    return response.status_code == 302 and response.url == f"{LOGIN}?next={next_url}"


def status_of(proposal) -> str:
    return Proposal.objects.values_list("status", flat=True).get(pk=proposal.pk)


def event_count() -> int:
    return AuditEvent.objects.count()


def submitted(proposal, user):
    return services.proposal_submit(actor=user, proposal=proposal)


def returned(proposal, employer_user, ministry_user, comment="请补充实习岗位的安全保障措施。"):
    submitted(proposal, employer_user)
    return services.proposal_return(actor=ministry_user, proposal=proposal, comment=comment)


def published(proposal, employer_user, ministry_user):
    submitted(proposal, employer_user)
    return services.proposal_approve(actor=ministry_user, proposal=proposal)


def pdf_upload(name="plan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")
