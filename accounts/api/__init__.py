"""REST API for accounts and organisations, one module per feature: employers and universities
(organisations), the focus areas (focus_areas), the signed-in user (me) and API tokens (tokens).
Each view parses, loads through a selector and calls a service; accounts/api_urls.py routes them."""

from .focus_areas import FocusAreaSerializer, FocusAreaViewSet
from .me import MeApi, MeSerializer
from .organisations import (
    EmployerFilter,
    EmployerInput,
    EmployerRegistration,
    EmployerSerializer,
    EmployerViewSet,
    OrganisationInput,
    OrganisationViewSet,
    RejectInput,
    UniversityFilter,
    UniversityInput,
    UniversityProfileInput,
    UniversityRegistration,
    UniversitySerializer,
    UniversityViewSet,
)
from .tokens import LogoutAllApi, LogoutApi, TokenApi, TokenInput, TokenOutput

__all__ = [
    "EmployerFilter",
    "EmployerInput",
    "EmployerRegistration",
    "EmployerSerializer",
    "EmployerViewSet",
    "FocusAreaSerializer",
    "FocusAreaViewSet",
    "LogoutAllApi",
    "LogoutApi",
    "MeApi",
    "MeSerializer",
    "OrganisationInput",
    "OrganisationViewSet",
    "RejectInput",
    "TokenApi",
    "TokenInput",
    "TokenOutput",
    "UniversityFilter",
    "UniversityInput",
    "UniversityProfileInput",
    "UniversityRegistration",
    "UniversitySerializer",
    "UniversityViewSet",
]
