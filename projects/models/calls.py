"""Call rounds (批次): the window for proposals, the per-organisation limits and the
revision and response windows."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel
from accounts.validators import validate_single_line


class Call(TimeStampedModel):
    """A call round (批次): proposals are submitted between opens_at and closes_at."""

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("Not yet open")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("short name"), max_length=64, unique=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2020), MaxValueValidator(2100)]
    )
    description = models.TextField(_("description"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("deadline"))
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
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The deadline must be after the opening time.")})

    def validate_constraints(self, exclude=None) -> None:
        # clean() reports the deadline-before-opening case on the field; the database
        # constraint stays as the last guard.
        super().validate_constraints(exclude={*(exclude or ()), "closes_at"})

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now <= self.closes_at

    @property
    def phase(self) -> Phase:
        now = timezone.now()
        if now < self.opens_at:
            return self.Phase.UPCOMING
        return self.Phase.OPEN if now <= self.closes_at else self.Phase.CLOSED
