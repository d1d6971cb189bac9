from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("introductions", api.IntroductionViewSet, basename="introduction")

app_name = "brokering-api"
urlpatterns = router.urls
