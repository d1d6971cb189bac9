"""Universities without an introduction, and how fast each side answers."""

from statistics import fmean, median

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import University
from projects.models import Call, Interest
from projects.selectors import LIVE_INTEREST

from ...brokering.workflow import Status
from ...models import Introduction
from .common import VERIFIED, count_of
from .shapes import ResponseTimes, Unintroduced


def universities_without_introduction(call: Call, *, count: bool = True) -> Unintroduced:
    """Verified universities that no introduction of the call reached (a proposed one is the
    ministry's draft, so it does not count), by name, each with its live interests in the call."""
    reached = (
        Introduction.objects.filter(proposal__call=call)
        .exclude(status=Status.PROPOSED)
        .values("university_id")
    )
    interests = (
        Interest.objects.filter(university_id=OuterRef("pk"), proposal__call=call, status__in=LIVE_INTEREST)
        .order_by()
        .values(n=count_of())
    )
    universities = (
        University.objects.filter(status=VERIFIED)
        .exclude(pk__in=reached)
        .annotate(call_interests=Coalesce(Subquery(interests), 0))
        .order_by("name", "pk")
    )
    return Unintroduced(universities.count() if count else 0, universities)


def _hours(durations) -> tuple[float | None, float | None]:
    hours = [d.total_seconds() / 3600 for d in durations if d is not None]
    return (round(median(hours), 1), round(fmean(hours), 1)) if hours else (None, None)


def response_times(call: Call) -> list[ResponseTimes]:
    """Per side: introductions it answered, those still awaiting its answer (sent, no answer
    from it yet), and the median and mean hours from sending to its answer. Two queries."""
    sent = Introduction.objects.filter(proposal__call=call, sent_at__isnull=False)
    sides = [("employer", _("Employers")), ("university", _("Universities"))]
    counts = sent.aggregate(
        **{
            f"{side}_{what}": Count("pk", filter=condition)
            for side, _label in sides
            for what, condition in [
                ("answered", Q(**{f"{side}_responded_at__isnull": False})),
                ("pending", Q(status=Status.SENT, **{f"{side}_responded_at__isnull": True})),
            ]
        }
    )
    durations = list(
        sent.filter(Q(employer_responded_at__isnull=False) | Q(university_responded_at__isnull=False))
        .order_by()
        .values_list(
            *[
                ExpressionWrapper(F(f"{side}_responded_at") - F("sent_at"), output_field=DurationField())
                for side, _label in sides
            ]
        )
    )
    rows = []
    for index, (side, label) in enumerate(sides):
        median_hours, mean_hours = _hours(row[index] for row in durations)
        rows.append(
            ResponseTimes(
                side,
                str(label),
                counts[f"{side}_answered"],
                counts[f"{side}_pending"],
                median_hours,
                mean_hours,
            )
        )
    return rows
