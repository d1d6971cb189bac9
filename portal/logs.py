"""The logging configuration: JSON lines in production, plain text in development, each line
with the request id (django-guid's filter) and, in a worker, the task's."""

from django_guid.integrations import CeleryIntegration


def config(*, level: str, as_json: bool) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {
                "()": "django_guid.log_filters.CorrelationId",
                "correlation_id_field": "request_id",
            },
            "task": {"()": "django_guid.integrations.celery.log_filters.CeleryTracing"},
        },
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            },
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id", "task"],
                "formatter": "json" if as_json else "text",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }


# django-guid: the request id from an X-Request-ID header that is a UUID, else made; returned in
# the response and carried into the Celery tasks the request queues.
REQUEST_ID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "IGNORE_URLS": ["healthz", "metrics"],
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
