"""DRF plumbing: Django's domain errors become 4xx answers with a message."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.errors import Conflict


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = dict(exc.message_dict)
            if "__all__" in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop("__all__")
            exc = exceptions.ValidationError(errors)
        else:
            exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})
    elif isinstance(exc, Conflict):
        exc = ConflictError(exc.message)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = exceptions.ParseError(
            _("The request body is over the limit of %(limit)d bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    return drf_exception_handler(exc, context)
