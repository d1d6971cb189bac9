from django.urls import path

from . import views

app_name = "brokering"

one = "introductions/<uuid:public_id>/"

urlpatterns = [
    path("introductions/", views.IntroductionListView.as_view(), name="introduction-list"),
    path("introductions/new/", views.IntroductionCreateView.as_view(), name="introduction-create"),
    path(
        "matching/runs/<uuid:public_id>/introduce/",
        views.IntroductionsFromRunView.as_view(),
        name="introductions-from-run",
    ),
    path(one, views.IntroductionDetailView.as_view(), name="introduction-detail"),
    path(f"{one}send/", views.SendView.as_view(), name="introduction-send"),
    path(f"{one}cancel/", views.CancelView.as_view(), name="introduction-cancel"),
    path(f"{one}accept/", views.AcceptView.as_view(), name="introduction-accept"),
    path(f"{one}decline/", views.DeclineView.as_view(), name="introduction-decline"),
    path(f"{one}agreement/", views.AgreementView.as_view(), name="agreement-record"),
    path(
        f"{one}agreement/document/", views.DocumentView.as_view(kind="agreement"), name="agreement-document"
    ),
    path(f"{one}milestones/", views.MilestoneView.as_view(), name="milestone-record"),
    path(f"{one}outcome/", views.OutcomeSubmitView.as_view(), name="outcome-submit"),
    path(f"{one}outcome/confirm/", views.OutcomeConfirmView.as_view(), name="outcome-confirm"),
    path(f"{one}outcome/return/", views.OutcomeReturnView.as_view(), name="outcome-return"),
    path(f"{one}outcome/accept/", views.OutcomeAcceptView.as_view(), name="outcome-accept"),
    path(f"{one}outcome/evidence/", views.DocumentView.as_view(kind="evidence"), name="outcome-evidence"),
]
