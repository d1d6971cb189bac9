"""Reading rendered pages in tests: the messages flashed and the errors shown by each field."""

import re
from html import unescape

from django.contrib.messages import get_messages


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def field_errors(response) -> dict[str, list[str]]:
    """The error messages rendered inside each field's own block, by input name."""
    errors: dict[str, list[str]] = {}
    html = response.content.decode()
    for block in re.findall(r'<div class="field has-error">(.*?)</div>', html, re.S):
        found = [unescape(m) for m in re.findall(r'<p class="field-error"[^>]*>(.*?)</p>', block, re.S)]
        for name in re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', block):
            errors[name] = found
    return errors
