"""我的工作台: each role's first page, what waits for it with counts and links."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from ..workbench import work_for


class WorkbenchView(LoginRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "matching/workbench.html",
            {"organisation": request.user.organisation, "tasks": work_for(request.user)},
        )
