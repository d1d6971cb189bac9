"""The figures of the ministry's dashboard and of the public statistics page.

Plain selector functions over aggregate queries: each runs a fixed number of queries whatever
the round's size (75,000 projects, 2,000 universities), letting the database group and sum.
Labels come out in the active language; the public figures are cached per language.
"""

from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import get_language

from projects.models import Call
from projects.selectors import call_current

from ...brokering.workflow import COUNTED, Outcome
from ...models import Introduction, OutcomeReport
from .balance import supply_demand
from .common import published_in
from .funnel import funnel
from .groupings import by_area, by_province, by_type
from .responses import response_times, universities_without_introduction
from .shapes import Dashboard, PublicFigures, Unintroduced

PUBLIC_CACHE_SECONDS = 5 * 60
DASHBOARD_CACHE_SECONDS = 2 * 60


def dashboard_call(slug: str = "") -> Call | None:
    """The call the dashboard shows: the one named by `slug` (Call.DoesNotExist if none is),
    else the current call, else None when no call round exists yet."""
    if slug:
        return Call.objects.get(slug=slug)
    return call_current()


# --- the public figures -------------------------------------------------------------------------


def public_figures() -> PublicFigures:
    """The program's headline figures over every call: aggregates only, no names. Cached for
    five minutes per language (the labels are localised)."""
    key = f"stats:public:{get_language()}"
    figures = cache.get(key)
    if figures is None:
        figures = _public_figures()
        cache.set(key, figures, PUBLIC_CACHE_SECONDS)
    return figures


def _public_figures() -> PublicFigures:
    connected = Introduction.objects.filter(status__in=sorted(COUNTED)).aggregate(
        employers=Count("proposal__employer_id", distinct=True),
        universities=Count("university_id", distinct=True),
    )
    benefited = OutcomeReport.objects.filter(status=Outcome.ACCEPTED).aggregate(
        n=Sum(F("students_trained") + F("interns_hosted"))
    )["n"]
    return PublicFigures(
        employers_connected=connected["employers"],
        universities_reached=connected["universities"],
        projects=published_in(None).count(),
        students_benefited=benefited or 0,
        by_area=by_area(None),
        by_type=by_type(None),
        by_province=by_province(None),
    )


# --- everything the dashboard shows -------------------------------------------------------------


def dashboard(call: Call) -> Dashboard:
    """The ministry dashboard's figures of one call; the unintroduced universities stay a
    queryset for the caller to page through. The aggregates take seconds at the size of the
    busiest round (75,000 projects), so they are kept for two minutes per call and language;
    the page says when they were computed."""
    key = f"stats:dashboard:{call.pk}:{get_language()}"
    kept = cache.get(key)
    unintroduced = universities_without_introduction(call, count=kept is None)
    if kept is None:
        kept = {
            "funnel": funnel(call),
            "by_area": by_area(call),
            "by_type": by_type(call),
            "by_province": by_province(call),
            "supply_demand": supply_demand(call),
            "response_times": response_times(call),
            "unintroduced_count": unintroduced.count,
            "as_of": timezone.now(),
        }
        cache.set(key, kept, DASHBOARD_CACHE_SECONDS)
    figures = dict(kept)
    unintroduced = Unintroduced(figures.pop("unintroduced_count"), unintroduced.universities)
    return Dashboard(call=call, unintroduced=unintroduced, **figures)
