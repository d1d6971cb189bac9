from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("workbench/", views.WorkbenchView.as_view(), name="workbench"),
    path("recommended/", views.RecommendedView.as_view(), name="recommended"),
    path("university/", views.UniversityDashboardView.as_view(), name="university-dashboard"),
    path("matching/", views.RunListView.as_view(), name="run-list"),
    path("matching/runs/<uuid:public_id>/", views.RunDetailView.as_view(), name="run-detail"),
    path(
        "matching/runs/<uuid:public_id>/progress.json", views.RunProgressView.as_view(), name="run-progress"
    ),
    path("matching/runs/<uuid:public_id>/publish/", views.RunPublishView.as_view(), name="run-publish"),
    path("matching/runs/<uuid:public_id>/again/", views.RunRepeatView.as_view(), name="run-again"),
    path("matching/my-projects/", views.EmployerMatchesView.as_view(), name="my-projects"),
    path(
        "matching/my-projects/<uuid:public_id>/",
        views.EmployerProjectMatchesView.as_view(),
        name="my-project",
    ),
    path("matching/my-proposals/", views.UniversityProposalsView.as_view(), name="my-proposals"),
]
