"""CSV and XLSX exports, streamed."""

from django.urls import path

from . import views

app_name = "downloads"

urlpatterns = [
    path("proposals/", views.ProposalsExportView.as_view(), name="proposals"),
    path("interests/", views.InterestsExportView.as_view(), name="interests"),
    path("runs/<uuid:public_id>/candidates/", views.RunCandidatesExportView.as_view(), name="run-candidates"),
    path("runs/<uuid:public_id>/proposed/", views.RunProposedExportView.as_view(), name="run-proposed"),
    path("introductions/", views.IntroductionsExportView.as_view(), name="introductions"),
    path("outcomes/", views.OutcomesExportView.as_view(), name="outcomes"),
]
