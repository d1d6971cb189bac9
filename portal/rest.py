"""The API's fixed settings (Django REST framework, drf-spectacular), which read nothing from the
environment; portal/settings.py adds the throttle rates and proxies, which do."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "portal.input.JSONParser",  # bounded, and never a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per address for anonymous callers, per user otherwise; a view may name a tighter scope.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI Project Matching Portal API",
    "DESCRIPTION": "Supply–demand matching employment-education program, AI application field.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VerificationStatusEnum": "accounts.models.VerificationStatus",
        "ProjectTypeEnum": "accounts.models.ProjectType",
        "ProvinceEnum": "accounts.provinces.PROVINCE_CHOICES",
        "ProposalStatusEnum": "projects.workflow.Status",
        "IntroductionStatusEnum": "matching.brokering.workflow.Status",
        "DeclineReasonEnum": "matching.brokering.workflow.DeclineReason",
        "OutcomeStatusEnum": "matching.brokering.workflow.Outcome",
        "IntroductionAnswerEnum": "matching.models.Answer",
    },
}
