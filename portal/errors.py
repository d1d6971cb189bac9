"""The server-error page (handler500): a database that is briefly away — a restart, a failover,
SQLite busy past its timeout — is a 503 asking to try again shortly, in both languages, in the
API as JSON; anything else is Django's plain 500 page. Neither reads the database."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def server_error(request):
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    logger.warning("database unavailable for %s %s: %s", request.method, request.path, error)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": "The database is briefly unavailable; please try again "
                "in a minute. 数据库暂时不可用，请稍后再试。"
            },
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
