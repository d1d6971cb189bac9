from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("calls", api.CallViewSet, basename="call")
router.register("proposals", api.ProposalViewSet, basename="proposal")

urlpatterns = router.urls
