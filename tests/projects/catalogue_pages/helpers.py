"""What the catalogue page tests share: the catalogue's URLs, publishing a project as approval
does, a university's capacity, and readers of a rendered page."""

import re
from datetime import timedelta
from html import unescape

from django.urls import reverse
from django.utils import timezone

from accounts.models import UniversityCapacity
from projects import search
from tests.factories import ProposalFactory

CATALOGUE = reverse("projects:catalogue")
SAVED = reverse("projects:saved-searches")
LOGIN = reverse("accounts:login")


def publish(days_ago: int = 1, **kwargs):
    """A published project whose search document is built as approval builds it."""
    proposal = ProposalFactory(
        status="published", decided_at=timezone.now() - timedelta(days=days_ago), **kwargs
    )
    proposal.search_document = search.document(
        proposal.title, proposal.summary, proposal.description, proposal.employer.name
    )
    proposal.save(update_fields=["search_document"])
    return proposal


def give_capacity(user, places: int, project_type: str = "internship_base") -> None:
    UniversityCapacity.objects.create(
        university=user.university, project_type=project_type, places=places, projects=5
    )


def text(response) -> str:
    return unescape(response.content.decode())


def titles(response) -> list[str]:
    return [
        unescape(re.sub(r"</?mark>", "", t))  # the words searched for are marked
        for t in re.findall(r'class="project-title"[^>]*>(.*?)</a>', response.content.decode())
    ]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(f"{LOGIN}?next=")


def detail_url(proposal) -> str:
    return reverse("projects:project-detail", args=[proposal.public_id])


def interest_url(name: str, interest) -> str:
    return reverse(f"projects:{name}", args=[interest.public_id])
