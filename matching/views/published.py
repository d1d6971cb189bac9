"""What employers and universities see of matching once ministry staff publish a run: the
universities proposed for each of an employer's projects, and the projects proposed to a
university, each explained. Nothing before publication; nothing about another organisation."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from accounts import selectors as account_selectors
from common.views import get_visible_or_404
from projects.views.common import require_employer

from .. import selectors
from . import explain
from .university import verified_university

PAGE_SIZE = 20


def area_map() -> dict:
    return {area.code: area for area in account_selectors.focus_area_list()}


class EmployerMatchesView(LoginRequiredMixin, View):
    """Each of the employer's published projects with the universities proposed for it."""

    def get(self, request):
        refusal = require_employer(request)
        if refusal is not None:
            return refusal
        page = Paginator(selectors.employer_published_projects(request.user), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        projects = list(page.object_list)
        proposals = (
            selectors.published_proposals_for(request.user)
            .filter(proposal__in=projects)
            .order_by("proposal_id", "-score", "pk")
        )
        by_project: dict[int, list] = {project.pk: [] for project in projects}
        for row in explain.rows(proposals, area_map()):
            by_project[row.candidate.proposal_id].append(row)
        published = selectors.published_call_ids()
        return render(
            request,
            "matching/my_projects.html",
            {
                "page": page,
                "query": "",
                "projects": [(p, p.call_id in published, by_project[p.pk]) for p in projects],
            },
        )


class EmployerProjectMatchesView(LoginRequiredMixin, View):
    """One of the employer's projects: its proposed universities, each score explained."""

    def get(self, request, public_id):
        refusal = require_employer(request)
        if refusal is not None:
            return refusal
        project = get_visible_or_404(selectors.employer_project_get, user=request.user, public_id=public_id)
        proposals = (
            selectors.published_proposals_for(request.user).filter(proposal=project).order_by("-score", "pk")
        )
        return render(
            request,
            "matching/my_project.html",
            {
                "project": project,
                "published": project.call_id in selectors.published_call_ids(),
                "rows": explain.rows(proposals, area_map()),
            },
        )


class UniversityProposalsView(LoginRequiredMixin, View):
    """The projects proposed to the user's university in published results, best score first."""

    def get(self, request):
        university, refusal = verified_university(request)
        if refusal is not None:
            return refusal
        page = Paginator(
            selectors.published_proposals_for(request.user).order_by("-score", "pk"), PAGE_SIZE
        ).get_page(request.GET.get("page"))
        return render(
            request,
            "matching/my_proposals.html",
            {
                "university": university,
                "page": page,
                "query": "",
                "rows": explain.rows(page.object_list, area_map()),
            },
        )
