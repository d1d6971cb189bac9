"""/api/v1/introductions/: ministry staff create, send and cancel introductions; each side
answers for itself, records the agreement and milestones, and the outcome report runs its
course. Each side sees only its own introductions; others' are not found (404)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from accounts import permissions
from common.api import InputOutputMixin, PagePagination
from projects.selectors import proposals_visible_to

from ..models import OUTCOME_MAX, Agreement, Introduction, Milestone, OutcomeReport
from . import implementation, introductions, selectors
from .workflow import DeclineReason, Status


class AgreementSerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = ["signed_on", "places_agreed", "funding_agreed_cny", "document", "recorded_at"]
        read_only_fields = fields

    def get_document(self, agreement) -> bool:
        return bool(agreement.document)


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["title", "happened_on", "note", "recorded_at"]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeReport
        fields = [
            "status",
            "students_trained",
            "interns_hosted",
            "graduates_hired",
            "funding_delivered_cny",
            "narrative",
            "comment",
            "submitted_at",
            "confirmed_at",
            "decided_at",
        ]
        read_only_fields = fields


class IntroductionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    project = serializers.UUIDField(source="proposal.public_id", read_only=True)
    project_title = serializers.CharField(source="proposal.title", read_only=True)
    employer = serializers.CharField(source="proposal.employer.name", read_only=True)
    university = serializers.UUIDField(source="university.public_id", read_only=True)
    university_name = serializers.CharField(source="university.name", read_only=True)
    agreement = serializers.SerializerMethodField()
    milestones = MilestoneSerializer(many=True, read_only=True)
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = Introduction
        fields = [
            "id",
            "project",
            "project_title",
            "employer",
            "university",
            "university_name",
            "status",
            "message",
            "places",
            "employer_response",
            "university_response",
            "decline_reason",
            "decline_comment",
            "sent_at",
            "expires_at",
            "accepted_at",
            "agreement",
            "milestones",
            "outcome",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AgreementSerializer(allow_null=True))
    def get_agreement(self, introduction) -> dict | None:
        agreement = getattr(introduction, "agreement", None)
        return AgreementSerializer(agreement).data if agreement else None

    @extend_schema_field(OutcomeSerializer(allow_null=True))
    def get_outcome(self, introduction) -> dict | None:
        report = getattr(introduction, "outcome", None)
        return OutcomeSerializer(report).data if report else None


class IntroductionCreateInput(serializers.Serializer):
    project = serializers.UUIDField(required=False, help_text="A published project's id.")
    university = serializers.UUIDField(required=False, help_text="A verified university's id.")
    candidate = serializers.IntegerField(
        required=False, help_text="A run's candidate id, instead of the pair."
    )
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, data):
        if "candidate" in data and ("project" in data or "university" in data):
            raise serializers.ValidationError(
                _("Give either a candidate or a project and a university, not both.")
            )
        if "candidate" not in data and not ("project" in data and "university" in data):
            raise serializers.ValidationError(_("Give a project and a university, or a candidate."))
        return data


class MessageInput(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DeclineInput(CommentInput):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)


class AgreementInput(serializers.Serializer):
    signed_on = serializers.DateField()
    places_agreed = serializers.IntegerField(min_value=1, max_value=OUTCOME_MAX)
    funding_agreed_cny = serializers.IntegerField(min_value=0, max_value=10**10, default=0)
    document = serializers.FileField(required=False)


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    happened_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class OutcomeInput(serializers.Serializer):
    students_trained = serializers.IntegerField(min_value=0, max_value=OUTCOME_MAX)
    interns_hosted = serializers.IntegerField(min_value=0, max_value=OUTCOME_MAX)
    graduates_hired = serializers.IntegerField(min_value=0, max_value=OUTCOME_MAX)
    funding_delivered_cny = serializers.IntegerField(min_value=0, max_value=10**10, default=0)
    narrative = serializers.CharField(max_length=4000)
    evidence = serializers.FileField(required=False)


class IntroductionFilter(filters.FilterSet):
    call = filters.CharFilter(field_name="proposal__call__slug", help_text="A call's short name.")
    status = filters.ChoiceFilter(choices=Status.choices)
    project = filters.UUIDFilter(field_name="proposal__public_id")
    university = filters.UUIDFilter(field_name="university__public_id")

    class Meta:
        model = Introduction
        fields = ["call", "status", "project", "university"]


class IntroductionViewSet(
    InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = IntroductionSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    # The documented filters only: ordering by a nested list (?ordering=milestones) would join
    # it and repeat some introductions while paging others out.
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = IntroductionFilter
    pagination_class = PagePagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            selectors.introductions_visible_to(self.request.user)
            .select_related("agreement", "outcome")
            .prefetch_related("milestones")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=IntroductionCreateInput, responses={201: IntroductionSerializer})
    def create(self, request):
        # Refused before the input is read, so that others get 403 whatever they send.
        if not permissions.is_ministry(request.user):
            raise PermissionDenied(_("Only ministry staff broker introductions."))
        data = self._input(IntroductionCreateInput)
        candidate = None
        if "candidate" in data:
            candidate = selectors.candidate_to_introduce(user=request.user, candidate_id=data["candidate"])
            if candidate is None:
                raise ValidationError({"candidate": _("No candidate has this id.")})
            proposal, university = candidate.proposal, candidate.university
        else:
            proposal = proposals_visible_to(request.user).filter(public_id=data["project"]).first()
            university = selectors.university_to_introduce(user=request.user, public_id=data["university"])
            if proposal is None:
                raise ValidationError({"project": _("No project has this id.")})
            if university is None:
                raise ValidationError({"university": _("No university has this id.")})
        introduction = introductions.introduction_create(
            actor=request.user,
            proposal=proposal,
            university=university,
            message=data["message"],
            candidate=candidate,
        )
        return self._output(introduction, status.HTTP_201_CREATED)

    @extend_schema(request=MessageInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, id=None):
        data = self._input(MessageInput)
        introduction = introductions.introduction_send(
            actor=request.user, introduction=self.get_object(), message=data.get("message")
        )
        return self._output(introduction)

    @extend_schema(request=None, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, id=None):
        introduction = introductions.introduction_respond(
            actor=request.user, introduction=self.get_object(), accept=True
        )
        return self._output(introduction)

    @extend_schema(request=DeclineInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, id=None):
        data = self._input(DeclineInput)
        introduction = introductions.introduction_respond(
            actor=request.user,
            introduction=self.get_object(),
            accept=False,
            reason=data["reason"],
            comment=data["comment"],
        )
        return self._output(introduction)

    @extend_schema(request=CommentInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, id=None):
        data = self._input(CommentInput)
        introduction = introductions.introduction_cancel(
            actor=request.user, introduction=self.get_object(), comment=data["comment"]
        )
        return self._output(introduction)

    @extend_schema(request=AgreementInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def agreement(self, request, id=None):
        introduction = self.get_object()
        implementation.agreement_record(
            actor=request.user, introduction=introduction, **self._input(AgreementInput)
        )
        return self._output(introduction)

    @extend_schema(request=MilestoneInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def milestones(self, request, id=None):
        introduction = self.get_object()
        implementation.milestone_record(
            actor=request.user, introduction=introduction, **self._input(MilestoneInput)
        )
        return self._output(introduction)

    @extend_schema(request=OutcomeInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request, id=None):
        introduction = self.get_object()
        data = self._input(OutcomeInput)
        evidence = data.pop("evidence", None)
        implementation.outcome_submit(
            actor=request.user, introduction=introduction, fields=data, evidence=evidence
        )
        return self._output(introduction)

    def _report(self) -> OutcomeReport:
        introduction = self.get_object()
        report = OutcomeReport.objects.filter(introduction=introduction).first()
        if report is None:
            raise ValidationError(_("No outcome report has been filed yet."))
        report.introduction = introduction
        return report

    @extend_schema(request=None, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"], url_path="outcome/confirm")
    def outcome_confirm(self, request, id=None):
        report = implementation.outcome_confirm(actor=request.user, report=self._report())
        return self._output(report.introduction)

    @extend_schema(request=CommentInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"], url_path="outcome/return")
    def outcome_return(self, request, id=None):
        comment = self._input(CommentInput)["comment"]
        report = implementation.outcome_return(actor=request.user, report=self._report(), comment=comment)
        return self._output(report.introduction)

    @extend_schema(request=CommentInput, responses={200: IntroductionSerializer})
    @action(detail=True, methods=["post"], url_path="outcome/accept")
    def outcome_accept(self, request, id=None):
        comment = self._input(CommentInput)["comment"]
        report = implementation.outcome_accept(actor=request.user, report=self._report(), comment=comment)
        return self._output(report.introduction)
