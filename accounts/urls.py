from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import security_views, views
from .models import Employer, University

app_name = "accounts"

urlpatterns = [
    path("register/employer/", views.RegisterView.as_view(model=Employer), name="register-employer"),
    path("register/university/", views.RegisterView.as_view(model=University), name="register-university"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("two-factor/", security_views.TwoFactorView.as_view(), name="two-factor"),
    path("two-factor/qr.svg", security_views.two_factor_qr, name="two-factor-qr"),
    path("security/", security_views.SecurityView.as_view(), name="security"),
    path("language/", views.language_view, name="language"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("organisation/", views.OrganisationEditView.as_view(), name="organisation-edit"),
    path("organisation/profile/", views.UniversityProfileView.as_view(), name="university-profile"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/read/", views.inbox_read_all, name="inbox-read-all"),
    path("inbox/<uuid:public_id>/", views.notification_open, name="notification-open"),
    path("organisations/", views.OrganisationQueueView.as_view(), name="organisation-queue"),
    path("bulk/confirm/", views.BulkConfirmView.as_view(), name="bulk-confirm"),
    path("bulk/start/", views.BulkStartView.as_view(), name="bulk-start"),
    path("bulk/<uuid:public_id>/", views.BulkJobView.as_view(), name="bulk-job"),
    path("bulk/<uuid:public_id>/progress.json", views.BulkProgressView.as_view(), name="bulk-progress"),
    path(
        "organisations/<str:kind>/<uuid:public_id>/",
        views.OrganisationReviewView.as_view(),
        name="organisation-review",
    ),
]
