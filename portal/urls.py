from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import metrics

admin.site.site_header = _("AI Project Matching Portal administration")
admin.site.site_title = _("AI Project Matching Portal")


def favicon(request):
    """Where a client that asks /favicon.ico finds the icon the pages name."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("favicon.ico", favicon),
    path("help/", TemplateView.as_view(template_name="help.html"), name="help"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accounts/", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("matching.urls")),
    path("", include("matching.brokering.urls")),
    path("", include("matching.dashboard.urls")),
    path("exports/", include("matching.downloads.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("projects.api_urls")),
    path("api/v1/", include("matching.api_urls")),
    path("api/v1/", include("matching.brokering.api_urls")),
    path("api/v1/", include("matching.dashboard.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script from a URL of its own: no inline script, as the CSP asks.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
        name="api-docs",
    ),
]

handler500 = "portal.errors.server_error"
