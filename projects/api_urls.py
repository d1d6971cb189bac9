from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("calls", api.CallViewSet, basename="call")
router.register("proposals", api.ProposalViewSet, basename="proposal")
router.register("projects", api.ProjectViewSet, basename="project")
router.register("interests", api.InterestViewSet, basename="interest")

urlpatterns = router.urls
