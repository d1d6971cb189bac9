"""What the dashboard's and the public statistics' figures hold."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from projects.models import Call


@dataclass(frozen=True)
class Row:
    """Published projects and their student places in one group (area, type or province)."""

    code: str
    label: str
    projects: int
    places: int


@dataclass(frozen=True)
class FunnelStep:
    code: str
    label: str
    projects: int
    pairs: int | None  # project–university pairs, from "proposed" on


@dataclass(frozen=True)
class Balance:
    """Student places asked for (demand) against places offered (supply) in a province or area."""

    code: str
    label: str
    demand: float
    supply: float
    gap: float  # demand − supply: above 0, demand outruns supply
    shortfall: bool


@dataclass(frozen=True)
class SupplyDemand:
    by_province: list[Balance]
    by_area: list[Balance]


@dataclass(frozen=True)
class ResponseTimes:
    side: str
    label: str
    answered: int
    pending: int
    median_hours: float | None
    mean_hours: float | None


@dataclass(frozen=True)
class Unintroduced:
    count: int
    universities: QuerySet  # by name, each with `call_interests`


@dataclass(frozen=True)
class PublicFigures:
    employers_connected: int
    universities_reached: int
    projects: int
    students_benefited: int
    by_area: list[Row]
    by_type: list[Row]
    by_province: list[Row]


@dataclass(frozen=True)
class Dashboard:
    call: Call
    funnel: list[FunnelStep]
    by_area: list[Row]
    by_type: list[Row]
    by_province: list[Row]
    supply_demand: SupplyDemand
    unintroduced: Unintroduced
    response_times: list[ResponseTimes]
    as_of: datetime
