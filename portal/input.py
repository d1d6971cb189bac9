"""Input no view should have to fear: JSON nested too deep for Python's parser or over the
upload limit, and control characters in query parameters and form fields. Each gets a 4xx
with a message naming what was wrong, never a 500 (PostgreSQL refuses a NUL byte in a query
with an exception)."""

import re

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# C0 controls but tab, line feed and carriage return, and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering nesting too deep for Python's parser with a 400, and refusing
    control characters in any string, key or value, with the path of each. (A body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is refused as DRF reads it: see portal.api.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from None
        errors = {path: [_("This contains a control character.")] for path in _controls(data)}
        if errors:
            raise exceptions.ValidationError(errors)
        return data


def _controls(value, path: str = "") -> list[str]:
    """The paths (a.b.0) of the strings, keys included, holding a control character."""
    if isinstance(value, str):
        return [path or "non_field_errors"] if CONTROL.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found += [where] if CONTROL.search(str(key)) else _controls(item, where)
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _controls(item, f"{path}.{i}" if path else str(i))]
    return []


class RefuseControlCharacters:
    """A query parameter (or, on pages, a form field) holding a control character is refused
    with a 400 naming it: as JSON under /api/, as a page elsewhere. The API's bodies are checked
    by its JSON parser, after DRF has read them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        data = [request.GET] if api else [request.GET, request.POST]
        names = sorted(
            {
                name
                for query in data
                for name, values in query.lists()
                if CONTROL.search(name) or any(CONTROL.search(v) for v in values)
            }
        )
        if not names:
            return self.get_response(request)
        message = _("This contains a control character.")
        if api:
            return JsonResponse(
                {name: [message] for name in names}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        return render(request, "400.html", {"fields": names, "message": message}, status=400)
