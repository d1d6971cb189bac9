"""REST API for call rounds: parse, load through a selector, call one service."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response

from .. import selectors, services
from ..models import Call


class CallSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(read_only=True)

    class Meta:
        model = Call
        fields = [
            "slug",
            "name",
            "year",
            "description",
            "opens_at",
            "closes_at",
            "interest_closes_at",
            "brokering_closes_at",
            "ends_at",
            "max_proposals_per_employer",
            "max_interests_per_university",
            "revision_days",
            "phase",
        ]


class CallInput(serializers.Serializer):
    """Shapes only; the service checks the rules (deadline after opening, unique slug)."""

    slug = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    year = serializers.IntegerField()
    description = serializers.CharField(required=False, allow_blank=True)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    interest_closes_at = serializers.DateTimeField(required=False)
    brokering_closes_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    max_proposals_per_employer = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    max_interests_per_university = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    revision_days = serializers.IntegerField(required=False, min_value=0, max_value=365)


class CallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Anyone may read call rounds; ministry staff open and change them."""

    serializer_class = CallSerializer
    lookup_field = "slug"
    filter_backends: list = []

    def get_queryset(self):
        return selectors.call_list()

    def get_permissions(self):
        return [AllowAny()] if self.request.method in SAFE_METHODS else [IsAuthenticated()]

    @extend_schema(request=CallInput, responses={201: CallSerializer})
    def create(self, request):
        data = CallInput(data=request.data)
        data.is_valid(raise_exception=True)
        call = services.call_create(actor=request.user, fields=data.validated_data)
        return Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CallInput)
    def partial_update(self, request, slug=None):
        data = CallInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        call = services.call_update(actor=request.user, call=self.get_object(), fields=data.validated_data)
        return Response(CallSerializer(call).data)
