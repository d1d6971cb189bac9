"""REST API for the public catalogue of published projects."""

from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny

from common.api import PagePagination

from .. import selectors
from ..filters import ProjectFilter
from ..models import Proposal
from .contacts import ContactFields


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
        fields = [
            "id",
            "call",
            "employer",
            "project_type",
            "title",
            "summary",
            "description",
            "areas",
            "student_places",
            "partners_sought",
            "host_province",
            "host_city",
            "duration_months",
            "funding_cny",
            "in_kind_support",
            "training_hours",
            "internship_places_per_year",
            "trainees",
            "published_at",
        ]
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
        fields = [
            *ProjectSerializer.Meta.fields,
            "interests",
            "places_left",
            "contact_person",
            "contact_phone",
            "contact_email",
        ]
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

    def filter_queryset(self, queryset):
        # The filters narrow the list; one project is found by its id, whatever its round.
        return queryset if self.action == "retrieve" else super().filter_queryset(queryset)

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer
