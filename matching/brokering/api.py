"""/api/v1/introductions/: ministry staff create, send and cancel introductions; each side
answers for itself, records the agreement and milestones, and the outcome report runs its
course (api_implementation.py). Each side sees only its own introductions; others' are not
found (404)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from accounts import permissions
from common.api import InputOutputMixin, PagePagination
from projects.selectors import proposals_visible_to

from ..models import Introduction
from . import introductions, selectors
from .api_implementation import ImplementationActions
from .api_serializers import CommentInput, IntroductionSerializer
from .workflow import DeclineReason, Status


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


class DeclineInput(CommentInput):
    reason = serializers.ChoiceField(choices=DeclineReason.choices)


class IntroductionFilter(filters.FilterSet):
    call = filters.CharFilter(field_name="proposal__call__slug", help_text="A call's short name.")
    status = filters.ChoiceFilter(choices=Status.choices)
    project = filters.UUIDFilter(field_name="proposal__public_id")
    university = filters.UUIDFilter(field_name="university__public_id")

    class Meta:
        model = Introduction
        fields = ["call", "status", "project", "university"]


class IntroductionViewSet(
    InputOutputMixin,
    ImplementationActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
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
