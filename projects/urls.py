from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("proposals/", views.EmployerDashboardView.as_view(), name="dashboard"),
    path("proposals/new/", views.ProposalCreateView.as_view(), name="proposal-create"),
    path("proposals/<uuid:public_id>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<uuid:public_id>/edit/", views.ProposalEditView.as_view(), name="proposal-edit"),
    path("proposals/<uuid:public_id>/submit/", views.ProposalSubmitView.as_view(), name="proposal-submit"),
    path(
        "proposals/<uuid:public_id>/withdraw/", views.ProposalWithdrawView.as_view(), name="proposal-withdraw"
    ),
    path("proposals/<uuid:public_id>/attachments/", views.AttachmentAddView.as_view(), name="attachment-add"),
    path(
        "proposals/<uuid:public_id>/attachments/<uuid:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path(
        "proposals/<uuid:public_id>/attachments/<uuid:attachment_id>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment-delete",
    ),
    path("review/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("review/<uuid:public_id>/", views.ReviewView.as_view(), name="proposal-review"),
    path("calls/", views.CallListView.as_view(), name="call-list"),
    path("calls/new/", views.CallFormView.as_view(), name="call-create"),
    path("calls/<slug:slug>/edit/", views.CallFormView.as_view(), name="call-edit"),
]

# The catalogue of published projects, expressions of interest and saved searches.
urlpatterns += [
    path("projects/", views.CatalogueView.as_view(), name="catalogue"),
    path("projects/saved/", views.SavedSearchListView.as_view(), name="saved-searches"),
    path("projects/shortlist/", views.ShortlistView.as_view(), name="shortlist"),
    path("projects/compare/", views.CompareView.as_view(), name="compare"),
    path(
        "projects/saved/<uuid:public_id>/delete/",
        views.SavedSearchDeleteView.as_view(),
        name="saved-search-delete",
    ),
    path("projects/<uuid:public_id>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<uuid:public_id>/interest/", views.InterestCreateView.as_view(), name="interest-create"),
    path(
        "projects/<uuid:public_id>/shortlist/", views.ShortlistChangeView.as_view(), name="shortlist-change"
    ),
    path(
        "proposals/<uuid:public_id>/interests/",
        views.ProposalInterestsView.as_view(),
        name="proposal-interests",
    ),
    path("interests/<uuid:public_id>/edit/", views.InterestEditView.as_view(), name="interest-edit"),
    path(
        "interests/<uuid:public_id>/withdraw/", views.InterestWithdrawView.as_view(), name="interest-withdraw"
    ),
    path("interests/<uuid:public_id>/respond/", views.InterestRespondView.as_view(), name="interest-respond"),
]
