from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("employers", api.EmployerViewSet, basename="employer")
router.register("universities", api.UniversityViewSet, basename="university")
router.register("focus-areas", api.FocusAreaViewSet, basename="focus-area")

app_name = "accounts-api"
urlpatterns = [
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("auth/logout/", api.LogoutApi.as_view(), name="api-logout"),
    path("auth/logoutall/", api.LogoutAllApi.as_view(), name="api-logout-all"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    *router.urls,
]
