"""REST API for the program's statistics: the public figures for anyone (`stats/`) and a call's
dashboard figures for ministry staff (`stats/dashboard/?call=<short name>`). Both read the same
selectors as the HTML pages (figures/)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as rules
from projects.models import Call

from . import figures
from .figures.common import province_label


class StatsRowSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Focus-area code, project type or GB/T 2260 province code (empty: no host province given)."
    )
    label = serializers.CharField(help_text="In the request's language.")
    projects = serializers.IntegerField()
    places = serializers.IntegerField(help_text="Student places of those projects.")


class PublicStatsSerializer(serializers.Serializer):
    employers_connected = serializers.IntegerField(
        help_text="Employers with at least one introduction accepted by both sides (or later)."
    )
    universities_reached = serializers.IntegerField(
        help_text="Universities with at least one introduction accepted by both sides (or later)."
    )
    projects = serializers.IntegerField(help_text="Published projects, every call round.")
    students_benefited = serializers.IntegerField(
        help_text="Students trained plus interns hosted, over accepted outcome reports."
    )
    by_area = StatsRowSerializer(
        many=True,
        help_text=(
            "Per top-level focus area; a project counts under every top-level area it has, "
            "directly or through a sub-area."
        ),
    )
    by_type = StatsRowSerializer(many=True)
    by_province = StatsRowSerializer(many=True, help_text="Per host province.")


class StatsCallSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class StatsFunnelStepSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    projects = serializers.IntegerField()
    pairs = serializers.IntegerField(
        allow_null=True, help_text=("Project–university pairs at this step, from “proposed” on; null before.")
    )


class StatsBalanceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    demand = serializers.FloatField()
    supply = serializers.FloatField()
    gap = serializers.FloatField(help_text="Demand less supply: above 0, demand outruns supply.")
    shortfall = serializers.BooleanField()


class StatsSupplyDemandSerializer(serializers.Serializer):
    by_province = StatsBalanceSerializer(many=True)
    by_area = StatsBalanceSerializer(many=True)


class StatsUniversitySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    province = serializers.CharField(help_text="GB/T 2260 code.")
    province_label = serializers.SerializerMethodField()
    live_interests = serializers.IntegerField(
        source="call_interests", help_text="Its live interests in the call's projects."
    )

    def get_province_label(self, university) -> str:
        return province_label(university.province)


class StatsUnintroducedSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    universities = StatsUniversitySerializer(many=True, help_text="By name.")


class StatsResponseTimesSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=["employer", "university"])
    label = serializers.CharField()
    answered = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Sent, still awaiting this side's answer.")
    median_hours = serializers.FloatField(allow_null=True)
    mean_hours = serializers.FloatField(allow_null=True)


class DashboardStatsSerializer(serializers.Serializer):
    call = StatsCallSerializer()
    funnel = StatsFunnelStepSerializer(many=True)
    by_area = StatsRowSerializer(many=True)
    by_type = StatsRowSerializer(many=True)
    by_province = StatsRowSerializer(many=True)
    supply_demand = StatsSupplyDemandSerializer()
    universities_without_introduction = StatsUnintroducedSerializer(source="unintroduced")
    response_times = StatsResponseTimesSerializer(many=True)


class PublicStatsApi(APIView):
    """The program's headline figures, for anyone: aggregates only, cached for five minutes."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=PublicStatsSerializer)
    def get(self, request):
        return Response(PublicStatsSerializer(figures.public_figures()).data)


class DashboardStatsApi(APIView):
    """A call round's dashboard figures, for ministry staff."""

    permission_classes = [permissions.IsAuthenticated, rules.IsMinistry]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "call",
                OpenApiTypes.STR,
                description=("The call round's short name; by default the current call."),
            )
        ],
        responses=DashboardStatsSerializer,
    )
    def get(self, request):
        slug = request.query_params.get("call", "").strip()
        try:
            call = figures.dashboard_call(slug)
        except Call.DoesNotExist:
            raise exceptions.ValidationError(
                {"call": [_("No call round has the short name “%(slug)s”.") % {"slug": slug}]},
            ) from None
        if call is None:
            raise exceptions.NotFound(_("No call round has been opened yet."))
        return Response(DashboardStatsSerializer(figures.dashboard(call)).data)
