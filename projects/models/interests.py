"""A university's expression of interest (申请对接) in a published proposal."""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel, University
from accounts.validators import validate_mobile, validate_single_line

from ..workflow import InterestStatus
from .proposals import Proposal


class Interest(TimeStampedModel):
    """A university's expression of interest (申请对接) in a published proposal."""

    Status = InterestStatus

    class Response(models.TextChoices):
        WELCOME = "welcome", _("Welcome")
        NOT_A_FIT = "not_a_fit", _("Not a fit")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="interests"
    )
    university = models.ForeignKey(
        University, verbose_name=_("university"), on_delete=models.PROTECT, related_name="interests"
    )
    students_offered = models.PositiveIntegerField(_("students offered"), validators=[MinValueValidator(1)])
    statement = models.TextField(_("statement"), max_length=2000)
    contact_person = models.CharField(
        _("contact person"), max_length=50, blank=True, validators=[validate_single_line]
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.LIVE, db_index=True
    )
    response = models.CharField(_("employer's answer"), max_length=12, choices=Response.choices, blank=True)
    response_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("expression of interest")
        verbose_name_plural = _("expressions of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "university"],
                condition=~Q(status="withdrawn"),
                name="one_interest_per_university_and_project",
                violation_error_message=_("Your university has already expressed interest in this project."),
            ),
            models.CheckConstraint(condition=Q(students_offered__gte=1), name="interest_offers_students"),
        ]
        indexes = [models.Index(fields=["university", "status"]), models.Index(fields=["proposal", "status"])]

    def __str__(self) -> str:
        return f"{self.university_id} → {self.proposal_id}"
