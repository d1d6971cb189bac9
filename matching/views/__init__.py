"""The matching app's HTML pages: the university's recommended projects and dashboard, ministry
staff's matching runs (runs.py) and a run's page with its results (run_detail.py), and the
published results employers and universities see."""

from .published import EmployerMatchesView, EmployerProjectMatchesView, UniversityProposalsView
from .run_detail import RunDetailView
from .runs import RunListView, RunProgressView, RunPublishView, RunRepeatView
from .university import RecommendedView, UniversityDashboardView
from .workbench import WorkbenchView

__all__ = [
    "EmployerMatchesView",
    "EmployerProjectMatchesView",
    "RecommendedView",
    "RunDetailView",
    "RunListView",
    "RunProgressView",
    "RunPublishView",
    "RunRepeatView",
    "UniversityDashboardView",
    "UniversityProposalsView",
    "WorkbenchView",
]
