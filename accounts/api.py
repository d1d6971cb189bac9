"""REST API for accounts and organisations: parse, load through a selector, call a service."""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from common.api import InputOutputMixin

from . import credentials, selectors, services
from .lockout import locked_out_response
from .models import Employer, FocusArea, University, User

ORGANISATION_OUTPUT = ["id", "name", "province", "city", "contact_person", "phone", "email",
                       "status", "status_reason", "created_at"]


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


class OrganisationViewSet(InputOutputMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
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
            model=self.model, fields=data, username=username, password=password,
            language=request.LANGUAGE_CODE,
        )
        return self._output(user.organisation, status.HTTP_201_CREATED)

    def partial_update(self, request, id=None):
        organisation = self.get_object()
        self.update_organisation(organisation, self._input(self.update_input, partial=True))
        return self._output(organisation)

    def update_organisation(self, organisation, data: dict) -> None:
        services.organisation_update(actor=self.request.user, organisation=organisation,
                                     fields=data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request, id=None):
        organisation = services.organisation_verify(actor=request.user,
                                                    organisation=self.get_object())
        return self._output(organisation)

    @extend_schema(request=RejectInput)
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        organisation = self.get_object()
        reason = self._input(RejectInput)["reason"]
        organisation = services.organisation_reject(actor=request.user, organisation=organisation,
                                                    reason=reason)
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
        services.university_update(actor=self.request.user, university=organisation, fields=data,
                                   strengths=strengths, capacity=capacity)


class FocusAreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = FocusArea
        fields = ["code", "name_zh", "name_en", "parent"]


class FocusAreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FocusAreaSerializer
    permission_classes = [AllowAny]
    pagination_class = None
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = r"[a-z_.]+"

    def get_queryset(self):
        return selectors.focus_area_list()


class MeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    role = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "language",
                  "organisation"]

    def get_role(self, user) -> str:
        return "ministry" if user.is_ministry else user.role

    def get_organisation(self, user) -> dict | None:
        organisation = user.organisation
        if organisation is None:
            return None
        return {"kind": user.role, "id": str(organisation.public_id), "name": organisation.name,
                "status": organisation.status, "status_reason": organisation.status_reason}


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False,
                                     style={"input_type": "password"})
    otp = serializers.CharField(max_length=20, required=False, allow_blank=True, default="", help_text=(
        "Ministry staff: a code from their authenticator app, or a recovery code."))


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class TokenApi(APIView):
    """POST username and password (and `otp` for ministry staff) for a new API token, which
    expires after settings.REST_KNOX["TOKEN_TTL"] and is stored only as a hash. Its own tight
    rate (the "token" scope); a locked-out sign-in is answered as the pages answer it (429 and
    why), not as a wrong password. Every token issued is audited."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenInput, responses={200: TokenOutput}, auth=[])
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):   # set by the Axes backend
                return locked_out_response(request)
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("Unable to log in with these credentials.")]})
        try:
            token, key = credentials.token_issue(user=user, code=data.validated_data["otp"])
        except DjangoValidationError as error:
            raise serializers.ValidationError({"otp": error.messages}) from error
        return Response({"token": key, "expiry": token.expiry})


class LogoutApi(APIView):
    """Revoke the token this request is signed with."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        credentials.tokens_revoke(actor=request.user, tokens=AuthToken.objects.filter(pk=request.auth.pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllApi(APIView):
    """Revoke every token of the user this request is signed in as."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        credentials.tokens_revoke(actor=request.user, tokens=AuthToken.objects.all())
        return Response(status=status.HTTP_204_NO_CONTENT)
