from django.urls import path

from . import api

app_name = "dashboard-api"
urlpatterns = [
    path("stats/", api.PublicStatsApi.as_view(), name="stats"),
    path("stats/dashboard/", api.DashboardStatsApi.as_view(), name="stats-dashboard"),
]
