from django.urls import path
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import SimpleRouter
from rest_framework.settings import api_settings

from . import api

router = SimpleRouter()
router.register("employers", api.EmployerViewSet, basename="employer")
router.register("universities", api.UniversityViewSet, basename="university")
router.register("focus-areas", api.FocusAreaViewSet, basename="focus-area")

urlpatterns = [
    # With the API's own parsers (ObtainAuthToken names DRF's): bounded JSON, never a 500.
    path("auth/token/", ObtainAuthToken.as_view(parser_classes=api_settings.DEFAULT_PARSER_CLASSES),
         name="api-token"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    *router.urls,
]
