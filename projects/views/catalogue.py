"""The public catalogue of published projects, a project's page, and universities' saved
searches."""

import hashlib

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from accounts import permissions
from accounts import selectors as account_selectors
from common.views import get_visible_or_404, query_without_page

from .. import search, selectors, services
from ..forms import InterestEditForm, InterestForm, SavedSearchForm, catalogue_filter
from ..models import Interest, Proposal
from .common import error_text, owner_of

PAGE_SIZE = 20
CATALOGUE_CACHE_SECONDS = 60


def is_university(user) -> bool:
    return bool(user.is_authenticated and user.university_id)


def is_verified_university(user) -> bool:
    return is_university(user) and permissions.is_verified_member(user)


def load_project(public_id) -> Proposal:
    """A published project, for anyone; 404 for every other status."""
    return get_visible_or_404(selectors.published_project, public_id=public_id)


class CatalogueView(View):
    """Published projects through the catalogue's one FilterSet; the filters live in the query
    string, so a page can be shared. Invalid filters show the form's errors and no project.

    The filters and results are the same for every visitor, so they are rendered once per
    language and query string and kept for a minute: a newly published project shows within
    that minute. What differs per visitor (the header, the save-search form) is not kept."""

    def get(self, request):
        query = query_without_page(request)
        key = (
            "catalogue:"
            + hashlib.sha256(f"{request.LANGUAGE_CODE}|{request.GET.urlencode()}".encode()).hexdigest()
        )
        kept = cache.get(key)
        if kept is None:
            kept = self.body(request, query)
            cache.set(key, kept, CATALOGUE_CACHE_SECONDS)
        body, status = kept
        return render(
            request,
            "projects/catalogue.html",
            {
                "body": body,
                "query": query,
                "can_save": is_verified_university(request.user),
                "save_form": SavedSearchForm(initial={"query": query}),
            },
            status=status,
        )

    def body(self, request, query: str) -> tuple[str, int]:
        found = catalogue_filter(
            request.GET,
            queryset=selectors.catalogue(),
            areas=account_selectors.focus_area_list(),
            calls=selectors.call_list(),
        )
        valid = found.is_valid()
        results = found.qs if valid else found.queryset.none()
        html = render_to_string(
            "projects/_catalogue_body.html",
            {
                "filter_form": found.form,
                "query": query,
                "filtered": bool(query),
                "terms": search.words(found.form.cleaned_data.get("search") or "") if valid else [],
                "page": Paginator(results, PAGE_SIZE).get_page(request.GET.get("page")),
            },
            request,
        )
        return mark_safe(html), 200 if valid else 400  # noqa: S308 (our own template's output)


def project_context(request, proposal: Proposal, *, interest_form=None, edit_form=None) -> dict:
    """A project's page: what an applicant needs, and for a university its own interest (with
    the forms to change or withdraw it) or the form to express one."""
    user = request.user
    context = {
        "proposal": proposal,
        "summary": selectors.interest_summary(proposal),
        "contact": services.contact_view(actor=user, proposal=proposal),
        "may_download": selectors.may_see_contact(user, proposal),
        "sees_interests": owner_of(request, proposal) or permissions.is_ministry(user),
        "is_university": is_university(user),
        "can_express": is_verified_university(user),
        "takes_interest": proposal.call.takes_interest(),
        "shortlisted": selectors.shortlist_of(user).filter(pk=proposal.pk).exists(),
    }
    if not context["can_express"]:
        return context
    university = user.university
    interest = (
        selectors.interests_visible_to(user)
        .filter(proposal=proposal, status__in=selectors.LIVE_INTEREST)
        .first()
    )
    if interest is not None and interest.status == Interest.Status.LIVE:
        edit_form = edit_form or InterestEditForm(
            initial={"students_offered": interest.students_offered, "statement": interest.statement}
        )
    context.update(
        {
            "interest": interest,
            "edit_form": edit_form,
            "interest_form": interest_form or InterestForm(university=university),
            "capacity": selectors.university_capacity_left(university)[proposal.project_type],
            "allowance": selectors.interest_allowance_left(university, proposal.call),
        }
    )
    return context


class ProjectDetailView(View):
    def get(self, request, public_id):
        proposal = load_project(public_id)
        return render(request, "projects/project_detail.html", project_context(request, proposal))


def filter_summary(form) -> list[tuple[str, str]]:
    """The filters a bound catalogue form holds, as (label, the value as the page shows it)."""
    rows = []
    for field in form:
        value = form.data.get(field.html_name)
        if value:
            shown = dict(getattr(field.field, "choices", ())).get(value, value)
            rows.append((str(field.label), str(shown).strip()))
    return rows


def require_university(request) -> None:
    if not is_university(request.user):
        raise PermissionDenied(_("Only universities save searches."))


class SavedSearchListView(LoginRequiredMixin, View):
    """A university user's saved searches; a POST saves the catalogue's current filters."""

    def get(self, request):
        require_university(request)
        areas, calls = list(account_selectors.focus_area_list()), list(selectors.call_list())
        saved = [
            (
                search,
                filter_summary(
                    catalogue_filter(
                        QueryDict(search.query), queryset=selectors.catalogue(), areas=areas, calls=calls
                    ).form
                ),
            )
            for search in request.user.saved_searches.all()
        ]
        return render(
            request,
            "projects/saved_searches.html",
            {
                "saved_searches": saved,
                "catalogue": reverse("projects:catalogue"),
            },
        )

    def post(self, request):
        require_university(request)
        form = SavedSearchForm(request.POST)
        query = QueryDict(request.POST.get("query", "")).urlencode()
        if form.is_valid():
            try:
                saved = services.saved_search_create(
                    actor=request.user, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Your search “%(name)s” was saved. We will email you "
                        "newly published projects that match it every week."
                    )
                    % {"name": saved.name},
                )
                return redirect("projects:saved-searches")
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(f"{reverse('projects:catalogue')}?{query}" if query else "projects:catalogue")


class SavedSearchDeleteView(LoginRequiredMixin, View):
    def post(self, request, public_id):
        saved = request.user.saved_searches.filter(public_id=public_id).first()
        if saved is None:
            raise Http404
        services.saved_search_delete(actor=request.user, saved_search=saved)
        messages.success(request, _("The saved search “%(name)s” was deleted.") % {"name": saved.name})
        return redirect("projects:saved-searches")
