"""REST API for call rounds, proposals, the public catalogue and expressions of interest: parse,
load through a selector, call one service."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
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
from common.api import InputOutputMixin, PagePagination

from . import selectors, services, workflow
from .filters import ProjectFilter
from .models import Call, Interest, Proposal, RejectionReason
from .services.proposals import EDITABLE_FIELDS


class CallSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(read_only=True)

    class Meta:
        model = Call
        fields = ["slug", "name", "year", "description", "opens_at", "closes_at",
                  "max_proposals_per_employer", "max_interests_per_university", "revision_days",
                  "phase"]


class CallInput(serializers.Serializer):
    """Shapes only; the service checks the rules (deadline after opening, unique slug)."""

    slug = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    year = serializers.IntegerField()
    description = serializers.CharField(required=False, allow_blank=True)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    max_proposals_per_employer = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    max_interests_per_university = serializers.IntegerField(required=False, allow_null=True,
                                                            min_value=0)
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
        call = services.call_update(actor=request.user, call=self.get_object(),
                                    fields=data.validated_data)
        return Response(CallSerializer(call).data)


class ContactFields(serializers.Serializer):
    """A project's contact person, phone and email, null unless services.contact_view shows them
    to this reader; `record_views` says whether this serializer's channel records a view."""

    record_views = False
    contact_person = serializers.SerializerMethodField()
    contact_phone = serializers.SerializerMethodField()
    contact_email = serializers.SerializerMethodField()

    def _contact(self, proposal) -> services.ContactView:
        shown = self.context.setdefault("contacts", {})
        if proposal.pk not in shown:  # one view (and one record) per project, not per field
            shown[proposal.pk] = services.contact_view(
                actor=self.context["request"].user, proposal=proposal, record=self.record_views)
        return shown[proposal.pk]

    def get_contact_person(self, proposal) -> str | None:
        return self._contact(proposal).person

    def get_contact_phone(self, proposal) -> str | None:
        return self._contact(proposal).phone

    def get_contact_email(self, proposal) -> str | None:
        return self._contact(proposal).email


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
        fields = ["id", "call", "employer", "status", *sorted(EDITABLE_FIELDS), "areas",
                  "attachments", "flags", "actions", "submitted_at", "returned_at", "decided_at",
                  "created_at", "updated_at"]

    def _user(self):
        return self.context["request"].user

    def get_employer(self, proposal) -> dict:
        return {"id": str(proposal.employer.public_id), "name": proposal.employer.name}

    def get_areas(self, proposal) -> dict[str, float]:
        return {pa.area.code: round(pa.weight, 4) for pa in proposal.area_weights.all()}

    def get_attachments(self, proposal) -> list[dict]:
        return [{"id": str(a.public_id), "name": a.name, "size": a.size}
                for a in proposal.attachments.all()]

    def get_flags(self, proposal) -> list[dict] | None:
        """Compliance flags are for the employer and the reviewers, not the public."""
        user = self._user()
        visible = permissions.is_ministry(user) or permissions.belongs_to(user, proposal.employer)
        return proposal.flags if visible else None

    def get_actions(self, proposal) -> list[str]:
        user = self._user()
        return workflow.available_actions(
            proposal.status, is_owner=permissions.belongs_to(user, proposal.employer),
            is_ministry=permissions.is_ministry(user))


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
    call = filters.CharFilter(field_name="call__slug")
    status = filters.ChoiceFilter(choices=workflow.Status.choices)
    type = filters.ChoiceFilter(field_name="project_type", choices=Proposal._meta.get_field(
        "project_type").choices)
    area = filters.CharFilter(method="filter_area")
    province = filters.ChoiceFilter(field_name="host_province",
                                    choices=[(code, code) for code in PROVINCES])
    flagged = filters.BooleanFilter(method="filter_flagged")

    class Meta:
        model = Proposal
        fields = ["call", "status", "type", "area", "province", "flagged"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_weights__area__in=selectors.area_and_children(value)).distinct()

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(~Q(flags=[])) if value else queryset.filter(flags=[])


@extend_schema_view(
    create=extend_schema(request=ProposalCreateInput, responses={201: ProposalSerializer}),
    partial_update=extend_schema(request=ProposalInput),
)
class ProposalViewSet(InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
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
        return (selectors.proposals_visible_to(self.request.user)
                .select_related("employer", "call")
                .prefetch_related("area_weights__area", "attachments"))

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
        proposal = services.proposal_update(actor=request.user, proposal=self.get_object(),
                                            fields=data, areas=areas)
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
        return self._transition(services.proposal_withdraw,
                                comment=self._input(TransitionInput)["comment"])

    @extend_schema(request=TransitionInput)
    @action(detail=True, methods=["post"])
    def approve(self, request, id=None):
        return self._transition(services.proposal_approve,
                                comment=self._input(TransitionInput)["comment"])

    @extend_schema(request=TransitionInput)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, id=None):
        return self._transition(services.proposal_return,
                                comment=self._input(TransitionInput)["comment"])

    @extend_schema(request=TransitionInput)
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        data = self._input(TransitionInput)
        return self._transition(services.proposal_reject, reason=data.get("reason", ""),
                                comment=data["comment"])

    @extend_schema(responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, id=None):
        proposal = self.get_object()
        is_ministry = permissions.is_ministry(request.user)
        if not (is_ministry or permissions.belongs_to(request.user, proposal.employer)):
            raise PermissionDenied(_("Only the employer and ministry staff see the history."))
        return Response(EventSerializer(selectors.proposal_history(proposal), many=True,
                                        context={"is_ministry": is_ministry}).data)

    @extend_schema(request=AttachmentInput)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, id=None):
        upload = self._input(AttachmentInput)["file"]
        proposal = self.get_object()
        services.attachment_add(actor=request.user, proposal=proposal, upload=upload)
        return self._output(proposal, status.HTTP_201_CREATED)


class EmployerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    kind = serializers.CharField()


class ProjectSerializer(serializers.ModelSerializer):
    """A published project as the catalogue shows it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    call = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    employer = EmployerRefSerializer(read_only=True)
    areas = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField(source="decided_at", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "call", "employer", "project_type", "title", "summary", "description",
                  "areas", "student_places", "partners_sought", "host_province", "host_city",
                  "duration_months", "funding_cny", "in_kind_support", "training_hours",
                  "internship_places_per_year", "trainees", "published_at"]
        read_only_fields = fields

    def get_areas(self, proposal) -> dict[str, float]:
        return {pa.area.code: round(pa.weight, 4) for pa in proposal.area_weights.all()}


class ProjectDetailSerializer(ContactFields, ProjectSerializer):
    """Adds the interest so far and whom to contact (for the readers services.contact_view
    allows, each university member's view recorded)."""

    record_views = True
    interests = serializers.SerializerMethodField()
    places_left = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "interests", "places_left", "contact_person",
                  "contact_phone", "contact_email"]
        read_only_fields = fields

    def _summary(self, proposal) -> dict[str, int]:
        if not hasattr(proposal, "_interest_summary"):
            proposal._interest_summary = selectors.interest_summary(proposal)
        return proposal._interest_summary

    def get_interests(self, proposal) -> int:
        return self._summary(proposal)["interests"]

    def get_places_left(self, proposal) -> int:
        return self._summary(proposal)["places_left"]


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The public catalogue: published projects only, for anyone, with the page's filters."""

    permission_classes = [AllowAny]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = ProjectFilter
    pagination_class = PagePagination

    def get_queryset(self):
        return selectors.catalogue()

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer


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
        fields = ["id", "project", "university", "students_offered", "statement",
                  "contact_person", "contact_phone", "contact_email", "status", "response",
                  "response_reason", "responded_at", "created_at"]
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
    destroy=extend_schema(request=None, responses={200: InterestSerializer},
                          description="Withdraw the interest; answers the withdrawn interest."),
)
class InterestViewSet(InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
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
        proposal = (selectors.proposals_visible_to(request.user)
                    .select_related("employer", "call").filter(public_id=data.pop("project")).first())
        if proposal is None:
            raise ValidationError({"project": _("No published project has this id.")})
        interest = services.interest_create(actor=request.user, proposal=proposal, fields=data)
        return self._output(interest, status.HTTP_201_CREATED)

    def partial_update(self, request, id=None):
        data = self._input(InterestUpdateInput, partial=True)
        interest = services.interest_update(actor=request.user, interest=self.get_object(),
                                            fields=data)
        return self._output(interest)

    def destroy(self, request, id=None):
        interest = services.interest_withdraw(actor=request.user, interest=self.get_object())
        return self._output(interest)

    @extend_schema(request=InterestResponseInput, responses={200: InterestSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, id=None):
        data = self._input(InterestResponseInput)
        interest = services.interest_respond(actor=request.user, interest=self.get_object(),
                                             response=data["response"], reason=data["reason"])
        return self._output(interest)
