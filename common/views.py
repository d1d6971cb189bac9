"""What every page view shares."""

import uuid
from collections.abc import Mapping

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


def selected_ids(data: Mapping, name: str = "ids") -> list[str]:
    """The ticked ids, as the list page sends them (checkboxes, or one comma-separated field);
    what is not an id is left out."""
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
    ids = []
    for part in (part for value in values for part in str(value).split(",")):
        try:
            ids.append(str(uuid.UUID(part.strip())))
        except ValueError:
            continue
    return list(dict.fromkeys(ids))
