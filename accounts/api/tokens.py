"""REST API tokens: issued for a username and password (and a second factor for ministry staff),
revoked one or all at a time."""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .. import credentials
from ..lockout import locked_out_response


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text=("Ministry staff: a code from their authenticator app, or a recovery code."),
    )


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
        user = authenticate(
            request, username=data.validated_data["username"], password=data.validated_data["password"]
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):  # set by the Axes backend
                return locked_out_response(request)
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("Unable to log in with these credentials.")]}
            )
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
