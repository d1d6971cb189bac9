"""REST API for matching runs, ministry staff only: start a run (202; a worker computes it), watch
it, page through its explained candidates, publish its results. Parse, load, call one service."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action

from accounts import permissions as rules
from accounts.models import University
from common.api import InputOutputMixin, PagePagination
from projects.selectors import call_list

from . import selectors, services
from .models import Candidate, MatchRun


class MatchRunSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    call = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    summary = serializers.DictField(
        read_only=True,
        help_text=(
            "Counts (projects, universities, interests, candidates, proposed); the proposed and the "
            "greedy choice's objective (total score), blocking pairs, projects served, universities "
            "reached and students placed; time_limited (the solver stopped at its time limit); mutual "
            "{pairs, proposed, missed, not_proposed}; reasons {reason: candidates}; held (capacity "
            "held by earlier introductions, by university and project type); empty_because; "
            "coverage by region and by tier; over_places (always empty: every proposal fits)."
        ),
    )
    min_area_fit = serializers.FloatField(
        read_only=True,
        help_text=(
            "The AI-fit floor, 0–1: a pair below it is never proposed, except a mutual-interest pair."
        ),
    )
    bound = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=("No choice within the capacities can total more than this (null until the run succeeds)."),
    )
    gap = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text=(
            "(bound − objective) / bound: the proposed total is within this fraction of the best possible."
        ),
    )
    timings = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Seconds per stage."
    )
    weights = serializers.DictField(child=serializers.FloatField(), read_only=True)

    class Meta:
        model = MatchRun
        fields = [
            "id",
            "call",
            "status",
            "progress",
            "weights",
            "k",
            "m",
            "shards",
            "min_area_fit",
            "algorithm_version",
            "solver",
            "bound",
            "gap",
            "summary",
            "timings",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "published_at",
        ]
        read_only_fields = fields


class MatchRunInput(serializers.Serializer):
    """Shapes only; the service checks the rules (weights, k, m and the floor in range)."""

    call = serializers.SlugField(help_text="The call round's short name.")
    weights = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text='Any of "area", "capacity", "region", "interest": numbers ≥ 0, not all 0; '
        "missing ones take the defaults (0.60, 0.15, 0.15, 0.10).",
    )
    k = serializers.IntegerField(required=False, help_text="Universities per project, 1–200 (20).")
    m = serializers.IntegerField(required=False, help_text="Projects per university, 1–500 (50).")
    min_area_fit = serializers.FloatField(
        required=False,
        help_text=(
            "The AI-fit floor, 0–1 (0.10): pairs whose area fit is below it are never proposed, "
            "except mutual-interest pairs; they stay ranked candidates."
        ),
    )


class CandidateComponentsSerializer(serializers.Serializer):
    area_fit = serializers.FloatField()
    capacity_fit = serializers.FloatField()
    region = serializers.FloatField()
    interest = serializers.FloatField()


class CandidateSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        read_only=True,
        help_text=("The candidate's number within the portal: POST it as `candidate` to /introductions/."),
    )
    project = serializers.UUIDField(source="proposal.public_id", read_only=True)
    university = serializers.UUIDField(source="university.public_id", read_only=True)
    components = CandidateComponentsSerializer(source="*", read_only=True)
    top_areas = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The focus areas contributing most to the area fit.",
    )
    reason = serializers.CharField(
        source="reason_code",
        read_only=True,
        allow_null=True,
        help_text=(
            "Why it was not proposed, null when proposed: "
            + ", ".join(code.name.lower() for code in Candidate.Reason if code)
            + "."
        ),
    )
    reason_text = serializers.SerializerMethodField(
        help_text=("The reason in words, in the request's language; null when proposed.")
    )

    class Meta:
        model = Candidate
        fields = [
            "id",
            "project",
            "university",
            "score",
            "components",
            "rank",
            "proposed",
            "reason",
            "reason_text",
            "top_areas",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason_text(self, candidate: Candidate) -> str | None:
        return str(candidate.get_reason_display()) if candidate.reason else None


class MatchRunFilter(filters.FilterSet):
    call = filters.CharFilter(field_name="call__slug")
    status = filters.ChoiceFilter(choices=MatchRun.Status.choices)

    class Meta:
        model = MatchRun
        fields = ["call", "status"]


class CandidateFilter(filters.FilterSet):
    project = filters.UUIDFilter(field_name="proposal__public_id", help_text="A project's id.")
    university = filters.UUIDFilter(method="at_university", help_text="A university's id.")
    proposed = filters.BooleanFilter()

    class Meta:
        model = Candidate
        fields = ["project", "university", "proposed"]

    def at_university(self, queryset, name, value):
        # Through the run's packed ids of the university's candidates: none has an index by
        # university. The view has already found the run of the URL.
        run = MatchRun.objects.get(public_id=self.request.parser_context["kwargs"]["id"])
        return queryset.filter(
            pk__in=selectors.candidate_ids_at(run, University.objects.filter(public_id=value))
        )


class CandidatePagination(PagePagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema_view(
    create=extend_schema(request=MatchRunInput, responses={202: MatchRunSerializer}),
)
class MatchRunViewSet(
    InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Ministry staff start, watch and publish matching runs; everyone else is refused."""

    serializer_class = MatchRunSerializer
    permission_classes = [permissions.IsAuthenticated, rules.IsMinistry]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = MatchRunFilter
    pagination_class = PagePagination

    def get_queryset(self):
        return selectors.runs_visible_to(self.request.user)

    def create(self, request):
        data = MatchRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        call = call_list().filter(slug=fields.pop("call")).first()
        if call is None:
            raise ValidationError({"call": _("No call round has this short name.")})
        run = services.match_run_create(actor=request.user, call=call, **fields)
        response = self._output(run, status.HTTP_202_ACCEPTED)
        if run.queue_unavailable:
            response.data["message"] = str(services.QUEUE_UNAVAILABLE)
        return response

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, id=None):
        return self._output(services.match_run_publish(actor=request.user, run=self.get_object()))


class MatchRunCandidateListApi(generics.ListAPIView):
    """A run's candidates, by project and rank, each with the components that explain it."""

    serializer_class = CandidateSerializer
    permission_classes = [permissions.IsAuthenticated, rules.IsMinistry]
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CandidateFilter
    pagination_class = CandidatePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Candidate.objects.none()
        run = generics.get_object_or_404(
            selectors.runs_visible_to(self.request.user), public_id=self.kwargs["id"]
        )
        return selectors.run_candidates(run).order_by("proposal_id", "rank", "pk")
