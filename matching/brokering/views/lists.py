"""The introductions' list: ministry staff see and filter every introduction, each side its
own; ministry staff send the ticked proposed ones, introduce a pair by hand or propose the
introductions of a run's proposed pairs."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts import bulk, permissions
from accounts.forms import apply_errors
from common.views import get_visible_or_404, query_without_page
from projects.selectors import call_list, proposals_visible_to

from ... import selectors as run_selectors
from ...models import Introduction
from .. import introductions, selectors, workflow
from ..forms import IntroductionCreateForm, IntroductionFilterForm

ONLY_MINISTRY = gettext_lazy("Only ministry staff broker introductions.")

PAGE_SIZE = 25


def sent_message(sent: int) -> str:
    return ngettext("%(n)d introduction was sent.", "%(n)d introductions were sent.", sent) % {"n": sent}


def list_context(request, *, create_form=None) -> dict:
    form = IntroductionFilterForm(request.GET, calls=call_list())
    filters = selectors.IntroductionFilters(**form.cleaned_data) if form.is_valid() else None
    queryset = (
        selectors.introduction_list(user=request.user, filters=filters)
        if filters
        else Introduction.objects.none()
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "is_ministry": permissions.is_ministry(request.user),
    }
    if context["is_ministry"]:
        context["create_form"] = create_form or IntroductionCreateForm()
        proposed = queryset.filter(status=workflow.Status.PROPOSED).count()
        context["bulk"] = bulk.controls(["introductions.send"], request.GET, proposed)
    return context


class IntroductionListView(LoginRequiredMixin, View):
    """Ministry staff see and filter every introduction; each side its own."""

    def get(self, request):
        return render(request, "matching/brokering/list.html", list_context(request))


class IntroductionCreateView(LoginRequiredMixin, View):
    """Ministry staff introduce a project and a university by hand."""

    def post(self, request):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        form = IntroductionCreateForm(request.POST)
        if form.is_valid():
            proposal = (
                proposals_visible_to(request.user).filter(public_id=form.cleaned_data["project"]).first()
            )
            university = selectors.university_to_introduce(
                user=request.user, institution_code=form.cleaned_data["institution_code"]
            )
            if proposal is None:
                form.add_error("project", _("No project has this id."))
            if university is None:
                form.add_error("institution_code", _("No university has this institution code."))
            if proposal and university:
                try:
                    made = introductions.introduction_create(
                        actor=request.user,
                        proposal=proposal,
                        university=university,
                        message=form.cleaned_data["message"],
                    )
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, _("The introduction was proposed; send it when ready."))
                    return redirect("brokering:introduction-detail", made.public_id)
        return render(
            request, "matching/brokering/list.html", list_context(request, create_form=form), status=400
        )


class IntroductionsFromRunView(LoginRequiredMixin, View):
    """Turn a succeeded run's proposed pairs into proposed introductions, ready to send."""

    def post(self, request, public_id):
        permissions.require_ministry(request.user, ONLY_MINISTRY)
        run = get_visible_or_404(run_selectors.run_get, user=request.user, public_id=public_id)
        try:
            made = introductions.introductions_from_run(actor=request.user, run=run)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("matching:run-detail", run.public_id)
        messages.success(
            request,
            ngettext(
                "%(n)d introduction was proposed from the run; review and send it.",
                "%(n)d introductions were proposed from the run; review and send them.",
                made,
            )
            % {"n": made},
        )
        return redirect(f"{reverse('brokering:introduction-list')}?status=proposed&call={run.call.slug}")
