from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("match-runs", api.MatchRunViewSet, basename="match-run")

app_name = "matching-api"
urlpatterns = [
    path(
        "match-runs/<uuid:id>/candidates/",
        api.MatchRunCandidateListApi.as_view(),
        name="match-run-candidates",
    ),
    *router.urls,
]
