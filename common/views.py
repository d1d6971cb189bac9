"""What every page view shares."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404


def get_visible_or_404(selector, **arguments):
    """What the selector finds with these arguments, or 404 when it finds nothing: a thing this
    user may not see is not found, whoever asks."""
    try:
        return selector(**arguments)
    except ObjectDoesNotExist:
        raise Http404 from None


def query_without_page(request, **changes: str) -> str:
    """The request's query string without its page number (the base of pagination links),
    with `changes` set."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query[name] = value
    return query.urlencode()
