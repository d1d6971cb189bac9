"""REST API for who the request is signed in as, and their organisation."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import User


class MeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    role = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "language", "organisation"]

    def get_role(self, user) -> str:
        return "ministry" if user.is_ministry else user.role

    def get_organisation(self, user) -> dict | None:
        organisation = user.organisation
        if organisation is None:
            return None
        return {
            "kind": user.role,
            "id": str(organisation.public_id),
            "name": organisation.name,
            "status": organisation.status,
            "status_reason": organisation.status_reason,
        }


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
