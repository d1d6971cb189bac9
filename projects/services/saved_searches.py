"""Saved catalogue searches and their weekly email of newly published projects."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import User
from accounts.outbox import email_queue
from accounts.services import audit_record

from .. import selectors
from ..audit import ProjectsAudit
from ..filters import ProjectFilter
from ..models import SavedSearch, SavedSearchHit

DIGEST_LIMIT = 20


def _filter(query: str) -> ProjectFilter:
    return ProjectFilter(QueryDict(query), queryset=selectors.catalogue())


def saved_search_create(*, actor: User, name: str, query: str) -> SavedSearch:
    """A verified university's user saves catalogue filters (a query string) by name."""
    if not (actor.is_authenticated and actor.university_id and permissions.is_verified_member(actor)):
        raise PermissionDenied(_("Only verified universities save searches."))
    params = QueryDict(query, mutable=True)
    for name_ in ("page", "csrfmiddlewaretoken"):
        params.pop(name_, None)
    found = _filter(params.urlencode())
    if not found.is_valid():
        raise ValidationError(
            {"query": [f"{field}: {' '.join(errors)}" for field, errors in found.errors.items()]}
        )
    saved = SavedSearch(user=actor, name=(name or "").strip(), query=params.urlencode())
    saved.full_clean()
    with transaction.atomic():
        saved.save()
        audit_record(actor=actor, target=saved, action=ProjectsAudit.SAVED_SEARCH_CREATED, comment=saved.name)
    return saved


def saved_search_delete(*, actor: User, saved_search: SavedSearch) -> None:
    if saved_search.user_id != actor.pk:
        raise PermissionDenied(_("This saved search is not yours."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            target=saved_search,
            action=ProjectsAudit.SAVED_SEARCH_DELETED,
            comment=saved_search.name,
        )
        saved_search.delete()


def saved_search_digest_send() -> int:
    """Email each saved search's owner the projects published since it was saved that match it
    and were not sent before: each project at most once per saved search. Returns the emails."""
    sent = 0
    for saved_id in SavedSearch.objects.filter(user__is_active=True).values_list("pk", flat=True):
        with transaction.atomic():
            saved = SavedSearch.objects.select_for_update().select_related("user").get(pk=saved_id)
            found = _filter(saved.query)
            if not found.is_valid():
                continue
            new = list(
                found.qs.filter(decided_at__gte=saved.created_at)
                .exclude(pk__in=saved.hits.values("proposal_id"))
                .values("pk", "title", "public_id")[:DIGEST_LIMIT]
            )
            if not new:
                continue
            SavedSearchHit.objects.bulk_create(
                SavedSearchHit(saved_search=saved, proposal_id=row["pk"]) for row in new
            )
            projects = [{"title": row["title"], "id": str(row["public_id"])} for row in new]
            email_queue(
                user=saved.user,
                template="projects/email/saved_search",
                context={"name": saved.name, "projects": projects, "query": saved.query},
            )
            sent += 1
    return sent
