from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("proposals/", views.EmployerDashboardView.as_view(), name="dashboard"),
    path("proposals/new/", views.ProposalCreateView.as_view(), name="proposal-create"),
    path("proposals/<uuid:public_id>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
    path("proposals/<uuid:public_id>/edit/", views.ProposalEditView.as_view(), name="proposal-edit"),
    path("proposals/<uuid:public_id>/submit/", views.ProposalSubmitView.as_view(),
         name="proposal-submit"),
    path("proposals/<uuid:public_id>/withdraw/", views.ProposalWithdrawView.as_view(),
         name="proposal-withdraw"),
    path("proposals/<uuid:public_id>/attachments/", views.AttachmentAddView.as_view(),
         name="attachment-add"),
    path("proposals/<uuid:public_id>/attachments/<uuid:attachment_id>/",
         views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("proposals/<uuid:public_id>/attachments/<uuid:attachment_id>/delete/",
         views.AttachmentDeleteView.as_view(), name="attachment-delete"),
    path("review/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("review/bulk-approve/", views.BulkApproveView.as_view(), name="review-bulk-approve"),
    path("review/<uuid:public_id>/", views.ReviewView.as_view(), name="proposal-review"),
    path("calls/", views.CallListView.as_view(), name="call-list"),
    path("calls/new/", views.CallFormView.as_view(), name="call-create"),
    path("calls/<slug:slug>/edit/", views.CallFormView.as_view(), name="call-edit"),
]
