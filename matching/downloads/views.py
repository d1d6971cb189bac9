"""CSV and XLSX exports of the lists the pages show, read through the selectors that decide
visibility and filtered by the same query string as the page they are linked from.

GET ?format=csv|xlsx (csv by default) plus the page's filters. Anonymous users get the login
page, a user whose role has no such list 403, a run nobody may see 404, and an unknown format,
an invalid filter or a run without results 400 with a page saying why."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.template import engines
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts import permissions, services, tabular
from accounts import selectors as account_selectors
from accounts.models import User
from common.views import get_visible_or_404
from projects import selectors as project_selectors
from projects.forms import STATUS_FILTER_ALL, QueueFilterForm
from projects.workflow import Status as ProposalStatus

from .. import selectors
from ..brokering import selectors as brokering_selectors
from ..forms import ResultFilterForm
from ..models import MatchRun
from . import columns
from .forms import InterestFilterForm, IntroductionFilterForm, OutcomeFilterForm

FORMATS = ("csv", "xlsx")
# A page of its own, in the site's layout, without a template file: its text comes translated.
REFUSAL_PAGE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}'
    "{% block content %}<h1>{{ title }}</h1><p>{{ message }}</p>{% endblock %}"
)


class Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def refusal(request, message: str) -> HttpResponse:
    context = {"title": _("This list cannot be exported"), "message": message}
    return HttpResponse(REFUSAL_PAGE.render(context, request), status=400)


def valid(form):
    """The form, once its data is valid; Refused naming each invalid filter otherwise."""
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise Refused(_("Check the filters (%(problems)s).") % {"problems": problems})
    return form


class ExportView(LoginRequiredMixin, View):
    """The file of `columns` over `rows(request)`, named `<stem>-<today>.<format>`."""

    title = gettext_lazy("Export")
    columns: list[tabular.Column] = []

    def allowed(self, user: User) -> bool:
        raise NotImplementedError

    def rows(self, request, **kwargs) -> tuple[QuerySet, str]:
        """The queryset to export and the file name's stem."""
        raise NotImplementedError

    def subject(self, request) -> Model:
        """What the audit files the export under: the reader's organisation (ministry staff
        have none: then the reader)."""
        return request.user.organisation or request.user

    def get(self, request, **kwargs):
        if not self.allowed(request.user):
            raise PermissionDenied(_("Your account may not export this list."))
        kind = (request.GET.get("format") or "csv").strip().lower()
        if kind not in FORMATS:
            return refusal(request, _("Choose the format csv or xlsx."))
        try:
            queryset, stem = self.rows(request, **kwargs)
        except Refused as exc:
            return refusal(request, exc.message)
        header, rows = tabular.table(queryset, self.columns)
        filename = f"{stem}-{timezone.localdate():%Y-%m-%d}.{kind}"
        services.data_export_record(actor=request.user, target=self.subject(request), kind=filename)
        if kind == "xlsx":
            return tabular.stream_xlsx(filename, header, rows, sheet_title=str(self.title))
        return tabular.stream_csv(filename, header, rows)


class ProposalsExportView(ExportView):
    """Ministry staff: the review queue's list, with its filters and its default (submitted;
    status=all for every status). An employer: its own proposals, every status by default."""

    title = gettext_lazy("Proposals")
    columns = columns.PROPOSALS

    def allowed(self, user):
        return permissions.is_ministry(user) or bool(
            user.employer_id and permissions.is_verified_member(user)
        )

    def rows(self, request, **kwargs):
        user, ministry = request.user, permissions.is_ministry(request.user)
        data = request.GET.copy()
        data.setdefault("status", ProposalStatus.SUBMITTED if ministry else STATUS_FILTER_ALL)
        form = QueueFilterForm(
            data, calls=project_selectors.call_list(), areas=account_selectors.focus_area_list()
        )
        rows = project_selectors.proposal_export_list(
            user=user, filters=project_selectors.QueueFilters(**form.filters())
        )
        return rows, "proposals"


class InterestsExportView(ExportView):
    """Expressions of interest: a university's own, those in an employer's projects, every one
    for ministry staff; filtered by project (public id), call (slug) and status."""

    title = gettext_lazy("Interests")
    columns = columns.INTERESTS

    def allowed(self, user):
        return permissions.is_verified_member(user)

    def rows(self, request, **kwargs):
        data = valid(InterestFilterForm(request.GET)).cleaned_data
        rows = project_selectors.interest_list(
            user=request.user,
            project=str(data["project"] or ""),
            call=data["call"] or "",
            status=data["status"] or "",
        )
        return rows, "interests"


class RunCandidatesExportView(ExportView):
    """A succeeded run's candidates with the run page's filters, by project title then rank."""

    title = gettext_lazy("Candidates")
    columns = columns.CANDIDATES
    proposed_only = False

    def allowed(self, user):
        return permissions.is_ministry(user)

    def subject(self, request) -> Model:
        return self.run

    def rows(self, request, public_id=None, **kwargs):
        run = get_visible_or_404(selectors.run_get, user=request.user, public_id=public_id)
        if run.status != MatchRun.Status.SUCCEEDED:
            raise Refused(_("This run has no results to export: it has not succeeded."))
        self.run = run
        areas = list(account_selectors.focus_area_list())
        filters = valid(ResultFilterForm(request.GET, areas=areas)).filters()
        stem = f"{run.call.slug}-{str(run.public_id)[:8]}"
        if self.proposed_only:
            return selectors.proposed_introductions(run, filters), f"proposed-{stem}"
        queryset = selectors.run_candidates(run, filters).order_by(
            "proposal__title", "proposal_id", "rank", "pk"
        )
        return queryset, f"candidates-{stem}"


class RunProposedExportView(RunCandidatesExportView):
    """The run's proposed introductions: its candidates with proposed=1, by title then score."""

    title = gettext_lazy("Proposed introductions")
    proposed_only = True


class IntroductionsExportView(ExportView):
    """Introductions: each side its own (once sent), ministry staff every one; filtered by
    call (slug), status, q (project, employer or university) and province."""

    title = gettext_lazy("Introductions")
    columns = columns.INTRODUCTIONS

    def allowed(self, user):
        return permissions.is_verified_member(user)

    def rows(self, request, **kwargs):
        filters = valid(IntroductionFilterForm(request.GET)).filters()
        return brokering_selectors.introduction_list(user=request.user, filters=filters), "introductions"


class OutcomesExportView(ExportView):
    """Outcome reports of the introductions the user may see; filtered by call and status."""

    title = gettext_lazy("Outcome reports")
    columns = columns.OUTCOMES

    def allowed(self, user):
        return permissions.is_verified_member(user)

    def rows(self, request, **kwargs):
        data = valid(OutcomeFilterForm(request.GET)).cleaned_data
        rows = brokering_selectors.outcome_list(
            user=request.user, call=data["call"] or "", status=data["status"] or ""
        )
        return rows, "outcome-reports"
