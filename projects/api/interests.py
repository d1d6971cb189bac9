"""REST API for universities' expressions of interest and the employers' answers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from common.api import InputOutputMixin, PagePagination

from .. import selectors, services
from ..models import Interest


class InterestProjectSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    title = serializers.CharField()


class InterestUniversitySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    province = serializers.CharField()
    tier = serializers.CharField()


class InterestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = InterestProjectSerializer(source="proposal", read_only=True)
    university = InterestUniversitySerializer(read_only=True)

    class Meta:
        model = Interest
        fields = [
            "id",
            "project",
            "university",
            "students_offered",
            "statement",
            "contact_person",
            "contact_phone",
            "contact_email",
            "status",
            "response",
            "response_reason",
            "responded_at",
            "created_at",
        ]
        read_only_fields = fields


class InterestUpdateInput(serializers.Serializer):
    """Shapes only; the services check the rules (at least one student, capacity, allowance)."""

    students_offered = serializers.IntegerField(required=False)
    statement = serializers.CharField(required=False, allow_blank=True)
    contact_person = serializers.CharField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True)
    contact_email = serializers.CharField(required=False, allow_blank=True)


class InterestCreateInput(InterestUpdateInput):
    project = serializers.UUIDField()
    students_offered = serializers.IntegerField()
    statement = serializers.CharField(allow_blank=True)


class InterestResponseInput(serializers.Serializer):
    response = serializers.ChoiceField(choices=Interest.Response.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    create=extend_schema(request=InterestCreateInput, responses={201: InterestSerializer}),
    partial_update=extend_schema(request=InterestUpdateInput),
    destroy=extend_schema(
        request=None,
        responses={200: InterestSerializer},
        description="Withdraw the interest; answers the withdrawn interest.",
    ),
)
class InterestViewSet(
    InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A university sees and manages its own interests; an employer sees those in its projects
    and answers them; ministry staff see all. Others' interests are not found (404)."""

    serializer_class = InterestSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list = []
    pagination_class = PagePagination

    def get_queryset(self):
        return selectors.interests_visible_to(self.request.user)

    def create(self, request):
        data = self._input(InterestCreateInput)
        proposal = (
            selectors.proposals_visible_to(request.user)
            .select_related("employer", "call")
            .filter(public_id=data.pop("project"))
            .first()
        )
        if proposal is None:
            raise ValidationError({"project": _("No published project has this id.")})
        interest = services.interest_create(actor=request.user, proposal=proposal, fields=data)
        return self._output(interest, status.HTTP_201_CREATED)

    def partial_update(self, request, id=None):
        data = self._input(InterestUpdateInput, partial=True)
        interest = services.interest_update(actor=request.user, interest=self.get_object(), fields=data)
        return self._output(interest)

    def destroy(self, request, id=None):
        interest = services.interest_withdraw(actor=request.user, interest=self.get_object())
        return self._output(interest)

    @extend_schema(request=InterestResponseInput, responses={200: InterestSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, id=None):
        data = self._input(InterestResponseInput)
        interest = services.interest_respond(
            actor=request.user, interest=self.get_object(), response=data["response"], reason=data["reason"]
        )
        return self._output(interest)
