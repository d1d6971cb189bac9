"""REST API for employers and universities: registration, a member's own organisation, and
verification by ministry staff."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated

from common.api import InputOutputMixin

from .. import selectors, services
from ..models import Employer, University

ORGANISATION_OUTPUT = [
    "id",
    "name",
    "province",
    "city",
    "contact_person",
    "phone",
    "email",
    "status",
    "status_reason",
    "created_at",
]


class EmployerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Employer
        fields = [*ORGANISATION_OUTPUT, "credit_code", "kind", "industry"]


class UniversitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    strengths = serializers.SerializerMethodField()
    capacity = serializers.SerializerMethodField()

    class Meta:
        model = University
        fields = [*ORGANISATION_OUTPUT, "institution_code", "tier", "strengths", "capacity"]

    def get_strengths(self, university) -> dict[str, float]:
        return selectors.university_profile(university)[0]

    def get_capacity(self, university) -> dict[str, dict[str, int]]:
        return selectors.university_profile(university)[1]


class OrganisationInput(serializers.Serializer):
    """Shapes only: every rule (formats, choices, uniqueness) is checked by the service."""

    name = serializers.CharField(max_length=200)
    province = serializers.CharField(max_length=2)
    city = serializers.CharField(max_length=100)
    contact_person = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)
    email = serializers.CharField(max_length=254)


class EmployerInput(OrganisationInput):
    credit_code = serializers.CharField(max_length=30)
    kind = serializers.CharField(max_length=24)
    industry = serializers.CharField(max_length=100)


class UniversityInput(OrganisationInput):
    institution_code = serializers.CharField(max_length=20)
    tier = serializers.CharField(max_length=24)


class UniversityProfileInput(UniversityInput):
    # Values pass through as JSON: the service checks them (and refuses true/false as numbers).
    strengths = serializers.DictField(child=serializers.JSONField(), required=False)
    capacity = serializers.DictField(child=serializers.JSONField(), required=False)


class AccountInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, trim_whitespace=False)


class EmployerRegistration(AccountInput, EmployerInput):
    pass


class UniversityRegistration(AccountInput, UniversityInput):
    pass


class RejectInput(serializers.Serializer):
    reason = serializers.CharField()


class OrganisationViewSet(
    InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Anyone may register (POST); members see and edit their own organisation; ministry staff
    see every one and verify or reject it."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    ordering_fields = ["created_at", "name"]
    model: type
    registration: type[serializers.Serializer]
    update_input: type[serializers.Serializer]

    def get_permissions(self):
        return [AllowAny()] if self.action == "create" else [IsAuthenticated()]

    def get_queryset(self):
        return self.with_related(
            selectors.organisations_visible_to(self.request.user, self.model).order_by("pk")
        )

    def with_related(self, queryset):
        return queryset

    def fresh(self, organisation):
        # Not through the visible queryset: a registration is answered to its anonymous author.
        return self.with_related(self.model.objects.filter(pk=organisation.pk)).get()

    def create(self, request):
        data = self._input(self.registration)
        username, password = data.pop("username"), data.pop("password")
        user = services.organisation_register(
            model=self.model,
            fields=data,
            username=username,
            password=password,
            language=request.LANGUAGE_CODE,
        )
        return self._output(user.organisation, status.HTTP_201_CREATED)

    def partial_update(self, request, id=None):
        organisation = self.get_object()
        self.update_organisation(organisation, self._input(self.update_input, partial=True))
        return self._output(organisation)

    def update_organisation(self, organisation, data: dict) -> None:
        services.organisation_update(actor=self.request.user, organisation=organisation, fields=data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request, id=None):
        organisation = services.organisation_verify(actor=request.user, organisation=self.get_object())
        return self._output(organisation)

    @extend_schema(request=RejectInput)
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        organisation = self.get_object()
        reason = self._input(RejectInput)["reason"]
        organisation = services.organisation_reject(
            actor=request.user, organisation=organisation, reason=reason
        )
        return self._output(organisation)


class EmployerFilter(filters.FilterSet):
    class Meta:
        model = Employer
        fields = ["status", "province", "kind"]


class UniversityFilter(filters.FilterSet):
    class Meta:
        model = University
        fields = ["status", "province", "tier"]


@extend_schema_view(
    create=extend_schema(request=EmployerRegistration, responses={201: EmployerSerializer}),
    partial_update=extend_schema(request=EmployerInput),
)
class EmployerViewSet(OrganisationViewSet):
    model = Employer
    serializer_class = EmployerSerializer
    registration = EmployerRegistration
    update_input = EmployerInput
    filterset_class = EmployerFilter
    search_fields = ["name", "credit_code"]


@extend_schema_view(
    create=extend_schema(request=UniversityRegistration, responses={201: UniversitySerializer}),
    partial_update=extend_schema(request=UniversityProfileInput),
)
class UniversityViewSet(OrganisationViewSet):
    model = University
    serializer_class = UniversitySerializer
    registration = UniversityRegistration
    update_input = UniversityProfileInput
    filterset_class = UniversityFilter
    search_fields = ["name", "institution_code"]

    def with_related(self, queryset):
        return selectors.with_profile(queryset)

    def update_organisation(self, organisation, data: dict) -> None:
        strengths, capacity = data.pop("strengths", None), data.pop("capacity", None)
        services.university_update(
            actor=self.request.user,
            university=organisation,
            fields=data,
            strengths=strengths,
            capacity=capacity,
        )
