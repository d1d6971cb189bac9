"""REST API for an employer's proposals and ministry review: parse, load through a selector,
call one service."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts import permissions
from accounts.provinces import PROVINCES
from common.api import InputOutputMixin

from .. import selectors, services, workflow
from ..models import Proposal, RejectionReason
from ..services.proposals import EDITABLE_FIELDS
from .contacts import ContactFields


class ProposalSerializer(ContactFields, serializers.ModelSerializer):
    """A proposal as its employer and the reviewers work on it; the contact is theirs alone here
    (universities read it on the project's detail, where the view is recorded)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    call = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    employer = serializers.SerializerMethodField()
    areas = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "call",
            "employer",
            "status",
            *sorted(EDITABLE_FIELDS),
            "areas",
            "attachments",
            "flags",
            "actions",
            "submitted_at",
            "returned_at",
            "decided_at",
            "created_at",
            "updated_at",
        ]

    def _user(self):
        return self.context["request"].user

    def get_employer(self, proposal) -> dict:
        return {"id": str(proposal.employer.public_id), "name": proposal.employer.name}

    def get_areas(self, proposal) -> dict[str, float]:
        return {pa.area.code: round(pa.weight, 4) for pa in proposal.area_weights.all()}

    def get_attachments(self, proposal) -> list[dict]:
        return [{"id": str(a.public_id), "name": a.name, "size": a.size} for a in proposal.attachments.all()]

    def get_flags(self, proposal) -> list[dict] | None:
        """Compliance flags are for the employer and the reviewers, not the public."""
        user = self._user()
        visible = permissions.is_ministry(user) or permissions.belongs_to(user, proposal.employer)
        return proposal.flags if visible else None

    def get_actions(self, proposal) -> list[str]:
        user = self._user()
        return workflow.available_actions(
            proposal.status,
            is_owner=permissions.belongs_to(user, proposal.employer),
            is_ministry=permissions.is_ministry(user),
        )


class ProposalInput(serializers.Serializer):
    """Shapes only: a draft may leave anything blank; the services check the rules."""

    project_type = serializers.CharField(max_length=24)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(allow_blank=True, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    student_places = serializers.IntegerField(allow_null=True, required=False)
    partners_sought = serializers.IntegerField(allow_null=True, required=False)
    host_province = serializers.CharField(allow_blank=True, required=False)
    host_city = serializers.CharField(allow_blank=True, required=False)
    duration_months = serializers.IntegerField(allow_null=True, required=False)
    funding_cny = serializers.IntegerField(allow_null=True, required=False)
    in_kind_support = serializers.CharField(allow_blank=True, required=False)
    contact_person = serializers.CharField(allow_blank=True, required=False)
    contact_phone = serializers.CharField(allow_blank=True, required=False)
    contact_email = serializers.CharField(allow_blank=True, required=False)
    training_hours = serializers.IntegerField(allow_null=True, required=False)
    internship_places_per_year = serializers.IntegerField(allow_null=True, required=False)
    trainees = serializers.IntegerField(allow_null=True, required=False)
    areas = serializers.DictField(child=serializers.JSONField(), required=False)


class ProposalCreateInput(ProposalInput):
    call = serializers.SlugField()


class TransitionInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(choices=RejectionReason.choices, required=False)


class AttachmentInput(serializers.Serializer):
    file = serializers.FileField()


class EventSerializer(serializers.Serializer):
    time = serializers.DateTimeField(source="created_at")
    actor = serializers.SerializerMethodField()
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    comment = serializers.CharField()
    reason = serializers.CharField()

    def get_actor(self, event) -> str | None:
        """Reviewers are named by role, not by person, to the employer; so is a deleted user, who
        may have been one: only the ministry reads the username recorded with the event."""
        if event.actor is None:
            return (event.actor_username or None) if self.context.get("is_ministry") else None
        return "ministry" if event.actor.is_ministry else event.actor.get_username()


class ProposalFilter(filters.FilterSet):
    """The query parameters (validated and documented here) of the proposals list, filtered by
    selectors.proposals_filtered as the review queue's page and export are."""

    call = filters.CharFilter(field_name="call__slug")
    status = filters.ChoiceFilter(choices=workflow.Status.choices)
    type = filters.ChoiceFilter(
        field_name="project_type", choices=Proposal._meta.get_field("project_type").choices
    )
    area = filters.CharFilter()
    province = filters.ChoiceFilter(field_name="host_province", choices=[(code, code) for code in PROVINCES])
    flagged = filters.BooleanFilter()

    class Meta:
        model = Proposal
        fields = ["call", "status", "type", "area", "province", "flagged"]

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.proposals_filtered(
            queryset,
            selectors.QueueFilters(
                call=data["call"] or "",
                status=data["status"] or "",
                project_type=data["type"] or "",
                area=data["area"] or "",
                province=data["province"] or "",
                flagged=data["flagged"],
            ),
        )


@extend_schema_view(
    create=extend_schema(request=ProposalCreateInput, responses={201: ProposalSerializer}),
    partial_update=extend_schema(request=ProposalInput),
)
class ProposalViewSet(
    InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Employers see their own proposals and the published ones; ministry staff see all;
    everyone else only published proposals. Writes go through the workflow's services."""

    serializer_class = ProposalSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filterset_class = ProposalFilter
    search_fields = ["title", "employer__name"]
    ordering_fields = ["submitted_at", "updated_at", "title", "student_places"]
    ordering = ["-updated_at"]

    def get_permissions(self):
        public = self.request.method in SAFE_METHODS and self.action != "events"
        return [AllowAny()] if public else [IsAuthenticated()]

    def get_queryset(self):
        return (
            selectors.proposals_visible_to(self.request.user)
            .select_related("employer", "call")
            .prefetch_related("area_weights__area", "attachments")
        )

    def create(self, request):
        data = self._input(ProposalCreateInput)
        call = selectors.call_list().filter(slug=data.pop("call")).first()
        if call is None:
            raise ValidationError({"call": _("No call round has this short name.")})
        areas = data.pop("areas", None)
        proposal = services.proposal_create(actor=request.user, call=call, fields=data, areas=areas)
        return self._output(proposal, status.HTTP_201_CREATED)

    def partial_update(self, request, id=None):
        data = self._input(ProposalInput, partial=True)
        areas = data.pop("areas", None)
        proposal = services.proposal_update(
            actor=request.user, proposal=self.get_object(), fields=data, areas=areas
        )
        return self._output(proposal)

    def _transition(self, service, **kwargs) -> Response:
        return self._output(service(actor=self.request.user, proposal=self.get_object(), **kwargs))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        return self._transition(services.proposal_submit)

    @extend_schema(request=TransitionInput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, id=None):
        return self._transition(services.proposal_withdraw, comment=self._input(TransitionInput)["comment"])

    @extend_schema(request=TransitionInput)
    @action(detail=True, methods=["post"])
    def approve(self, request, id=None):
        return self._transition(services.proposal_approve, comment=self._input(TransitionInput)["comment"])

    @extend_schema(request=TransitionInput)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, id=None):
        return self._transition(services.proposal_return, comment=self._input(TransitionInput)["comment"])

    @extend_schema(request=TransitionInput)
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        data = self._input(TransitionInput)
        return self._transition(
            services.proposal_reject, reason=data.get("reason", ""), comment=data["comment"]
        )

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, id=None):
        proposal = self.get_object()
        is_ministry = permissions.is_ministry(request.user)
        if not (is_ministry or permissions.belongs_to(request.user, proposal.employer)):
            raise PermissionDenied(_("Only the employer and ministry staff see the history."))
        return Response(
            EventSerializer(
                selectors.proposal_history(proposal), many=True, context={"is_ministry": is_ministry}
            ).data
        )

    @extend_schema(request=AttachmentInput)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, id=None):
        upload = self._input(AttachmentInput)["file"]
        proposal = self.get_object()
        services.attachment_add(actor=request.user, proposal=proposal, upload=upload)
        return self._output(proposal, status.HTTP_201_CREATED)
