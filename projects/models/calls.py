"""Call rounds (批次): the dated phases, the per-organisation limits and the revision and
response windows."""

from datetime import datetime, timedelta
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel
from accounts.validators import validate_single_line

# When a phase ends if ministry staff leave its date blank, counted from the end of the one
# before, so that a later deadline moves them too: interest 30 days after the deadline,
# matching and brokering 60 days after that, implementation a year after that.
DEFAULT_PHASE_DAYS = {"interest_closes_at": 30, "brokering_closes_at": 60, "ends_at": 365}
PHASE_ENDS = ("closes_at", *DEFAULT_PHASE_DAYS)


class Call(TimeStampedModel):
    """A call round (批次) and its dated phases, each ending when the next begins:

    - collection (征集申报), opens_at to closes_at: employers submit proposals;
    - interest (意向对接), to interest_closes_at: universities express interest in published
      projects. Projects are published as they are reviewed (即申即办), so interest opens with
      the call, alongside collection;
    - matching and brokering (智能匹配与撮合对接), to brokering_closes_at;
    - implementation (项目实施), to ends_at; then the round is closed, read-only.
    """

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("Not yet open")
        OPEN = "open", _("Collecting proposals")
        INTEREST = "interest", _("Interest")
        BROKERING = "brokering", _("Matching and brokering")
        IMPLEMENTATION = "implementation", _("Implementation")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2020), MaxValueValidator(2100)]
    )
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("deadline"))
    interest_closes_at = models.DateTimeField(
        _("interest deadline"),
        null=True,
        blank=True,
        help_text=_("Universities may express interest until then. Blank for 30 days after the deadline."),
    )
    brokering_closes_at = models.DateTimeField(
        _("brokering ends"),
        null=True,
        blank=True,
        help_text=_("Matching and brokering end then. Blank for 60 days after the interest deadline."),
    )
    ends_at = models.DateTimeField(
        _("round ends"),
        null=True,
        blank=True,
        help_text=_("Implementation ends and the round closes then. Blank for a year after brokering."),
    )
    max_proposals_per_employer = models.PositiveIntegerField(
        _("most proposals per employer"),
        null=True,
        blank=True,
        help_text=_("Blank for no limit."),
    )
    max_interests_per_university = models.PositiveIntegerField(
        _("most interests per university"),
        null=True,
        blank=True,
        help_text=_("Blank for no limit."),
    )
    revision_days = models.PositiveSmallIntegerField(
        _("revision window (days)"),
        default=7,
        help_text=_(
            "A proposal returned for revision may be resubmitted this many days after "
            "its return, even after the deadline."
        ),
    )
    response_days = models.PositiveSmallIntegerField(
        _("response window (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "Both sides must answer an introduction within this many days of its "
            "sending; after that it expires and frees its places."
        ),
    )

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call round")
        verbose_name_plural = _("call rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_it_opens",
                violation_error_message=_("The deadline must be after the opening time."),
            ),
            models.CheckConstraint(
                condition=Q(interest_closes_at__gte=models.F("closes_at"))
                & Q(brokering_closes_at__gte=models.F("interest_closes_at"))
                & Q(ends_at__gte=models.F("brokering_closes_at")),
                name="call_phases_in_order",
                violation_error_message=_("Each phase must end no earlier than the one before it."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def phase_dates(self) -> dict[str, datetime]:
        """When each phase ends: as set, or by default counted from the end of the one before."""
        dates = {"closes_at": self.closes_at}
        for before, name in pairwise(PHASE_ENDS):
            dates[name] = getattr(self, name) or dates[before] + timedelta(days=DEFAULT_PHASE_DAYS[name])
        return dates

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The deadline must be after the opening time.")})
        if self.closes_at is None:
            return
        dates = self.phase_dates()
        for before, name in pairwise(PHASE_ENDS):
            if dates[name] < dates[before]:
                label = self._meta.get_field(before).verbose_name
                raise ValidationError({name: _("This must not be before the %(date)s.") % {"date": label}})

    def validate_constraints(self, exclude=None) -> None:
        # clean() reports the phase dates out of order on their fields; the database
        # constraints stay as the last guard.
        super().validate_constraints(exclude={*(exclude or ()), "closes_at", "interest_closes_at"})

    def accepts_drafts(self, now: datetime | None = None) -> bool:
        """Whether a proposal may still be started: until the deadline, before opening too."""
        return (now or timezone.now()) <= self.closes_at

    def takes_interest(self, now: datetime | None = None) -> bool:
        """Whether universities may express interest now (the interest phase)."""
        now = now or timezone.now()
        return self.opens_at <= now <= self.phase_dates()["interest_closes_at"]

    def phase_at(self, now: datetime) -> Phase:
        if now < self.opens_at:
            return self.Phase.UPCOMING
        return next((phase for end, phase in self._phase_ends() if now <= end), self.Phase.CLOSED)

    def _phase_ends(self) -> list[tuple[datetime, Phase]]:
        phases = [self.Phase.OPEN, self.Phase.INTEREST, self.Phase.BROKERING, self.Phase.IMPLEMENTATION]
        dates = self.phase_dates()
        return [(dates[name], phase) for name, phase in zip(PHASE_ENDS, phases, strict=True)]

    @property
    def phase(self) -> Phase:
        return self.phase_at(timezone.now())

    @property
    def phase_deadline(self) -> datetime | None:
        """When the current phase ends (None once closed)."""
        phase = self.phase
        if phase == self.Phase.UPCOMING:
            return self.opens_at
        return next((end for end, each in self._phase_ends() if each == phase), None)
