"""The client's address, one rule for every use: the audit log, the sign-in lockout (Axes), the
rate limits (django-ratelimit; DRF's throttles follow NUM_PROXIES, set to match). Behind the
portal's own proxy (BEHIND_TRUSTED_PROXY) it is the last X-Forwarded-For entry, the one that
proxy appended; otherwise the socket's address, whatever a client claims in its headers."""

from contextvars import ContextVar

from django.conf import settings

_current: ContextVar[str] = ContextVar("client_address", default="")


def client_address(request) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.BEHIND_TRUSTED_PROXY and forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def current_client_address() -> str:
    """The address of the request being served ("" in a Celery task or a command)."""
    return _current.get()


class RememberClientAddress:
    """Middleware: keeps the request's client address for the audit records it writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
