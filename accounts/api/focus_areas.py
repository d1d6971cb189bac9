"""REST API for the focus-area taxonomy: public and read-only."""

from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from .. import selectors
from ..models import FocusArea


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
