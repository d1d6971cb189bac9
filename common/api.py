"""What every API view shares: input parsed by a serializer, output read afresh, and a page
number past the end answered as bad input."""

from typing import TYPE_CHECKING

from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

if TYPE_CHECKING:  # what the mixin expects of the view it is mixed into
    from rest_framework.generics import GenericAPIView as _View
else:
    _View = object


class InputOutputMixin(_View):
    # For a viewset: `_input` validates the request body with an input serializer (shapes only;
    # the service checks the rules); `_output` answers with the view's serializer over the object
    # read again through `fresh` — by default the view's own queryset, so the answer shows what
    # this user may see, as it now is. (A comment, not a docstring: the API schema would take it
    # as the description of every view without one.)

    def _input(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _output(self, instance, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.fresh(instance)).data, status=code)

    def fresh(self, instance):
        return self.get_queryset().get(pk=instance.pk)


class PagePagination(PageNumberPagination):
    """A page past the end (or not a number) is bad input, 400 with a message: a shared
    catalogue link gone stale must not look like a missing resource."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({self.page_query_param: [str(exc.detail)]}) from exc
