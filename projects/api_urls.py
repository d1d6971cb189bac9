from rest_framework.routers import SimpleRouter

from .api import calls, catalogue, interests, proposals

router = SimpleRouter()
router.register("calls", calls.CallViewSet, basename="call")
router.register("proposals", proposals.ProposalViewSet, basename="proposal")
router.register("projects", catalogue.ProjectViewSet, basename="project")
router.register("interests", interests.InterestViewSet, basename="interest")

app_name = "projects-api"
urlpatterns = router.urls
