"""Brokering's records: an introduction of a project and a university with both sides'
answers, the cooperation agreement it led to, the implementation's milestones and the outcome
report that closes it."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel, University
from projects.models import Proposal

from ..brokering import workflow
from .runs import Candidate


class Answer(models.TextChoices):
    """A side's answer to an introduction sent to it."""

    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


# More than any one cooperation could report: beyond it a figure is a typing error.
OUTCOME_MAX = 100_000


class Introduction(TimeStampedModel):
    """A brokered pairing of a project and a university, from a run's candidate or made by
    hand; accepted and later introductions hold the project's and university's capacity."""

    Status = workflow.Status

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("project"), on_delete=models.PROTECT, related_name="introductions"
    )
    university = models.ForeignKey(
        University, verbose_name=_("university"), on_delete=models.PROTECT, related_name="introductions"
    )
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("from candidate"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    broker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("broker"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=workflow.Status.choices, default=workflow.Status.PROPOSED
    )
    places = models.PositiveIntegerField(
        _("student places"),
        help_text=_(
            "The project's student places this university takes: "
            "its share until the agreement says otherwise."
        ),
    )
    employer_response = models.CharField(
        _("employer's answer"), max_length=8, blank=True, choices=Answer.choices
    )
    employer_responded_at = models.DateTimeField(_("employer answered"), null=True, blank=True)
    university_response = models.CharField(
        _("university's answer"), max_length=8, blank=True, choices=Answer.choices
    )
    university_responded_at = models.DateTimeField(_("university answered"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason"), max_length=16, blank=True, choices=workflow.DeclineReason.choices
    )
    decline_comment = models.TextField(_("comment"), max_length=2000, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "university"],
                condition=Q(status__in=sorted(workflow.OPEN)),
                name="one_open_introduction_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["proposal", "status"]),
            models.Index(fields=["university", "status"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} ↔ {self.university}"


class Agreement(models.Model):
    """The cooperation agreement (合作协议) an introduced pair signed."""

    introduction = models.OneToOneField(Introduction, on_delete=models.CASCADE, related_name="agreement")
    signed_on = models.DateField(_("signed on"))
    places_agreed = models.PositiveIntegerField(_("student places agreed"), validators=[MinValueValidator(1)])
    funding_agreed_cny = models.PositiveBigIntegerField(_("funding agreed (CNY)"), default=0)
    document = models.FileField(_("signed agreement (PDF)"), upload_to="agreements/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("cooperation agreement")
        verbose_name_plural = _("cooperation agreements")

    def __str__(self) -> str:
        return f"{self.introduction} · {self.signed_on}"


class Milestone(models.Model):
    """A step of a project's implementation (项目实施) that the pair records."""

    introduction = models.ForeignKey(Introduction, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    happened_on = models.DateField(_("date"))
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["happened_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class OutcomeReport(TimeStampedModel):
    """What a cooperation achieved, filed by the employer, confirmed by the university and
    accepted by ministry staff (结题验收); accepted reports feed the program's statistics."""

    Status = workflow.Outcome

    introduction = models.OneToOneField(Introduction, on_delete=models.CASCADE, related_name="outcome")
    status = models.CharField(
        _("status"), max_length=10, choices=workflow.Outcome.choices, default=workflow.Outcome.SUBMITTED
    )
    students_trained = models.PositiveIntegerField(
        _("students trained"), validators=[MaxValueValidator(OUTCOME_MAX)]
    )
    interns_hosted = models.PositiveIntegerField(
        _("interns hosted"), validators=[MaxValueValidator(OUTCOME_MAX)]
    )
    graduates_hired = models.PositiveIntegerField(
        _("graduates hired"), validators=[MaxValueValidator(OUTCOME_MAX)]
    )
    funding_delivered_cny = models.PositiveBigIntegerField(
        _("funding delivered (CNY)"), default=0, validators=[MaxValueValidator(10**10)]
    )
    narrative = models.TextField(_("summary of results"), max_length=4000)
    evidence = models.FileField(_("evidence (PDF)"), upload_to="outcomes/%Y/%m/", blank=True)
    comment = models.TextField(_("reviewer's comment"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("outcome report")
        verbose_name_plural = _("outcome reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(graduates_hired__lte=models.F("students_trained") + models.F("interns_hosted")),
                name="outcome_hired_within_trained_and_hosted",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.introduction}: {self.get_status_display()}"

    @property
    def students_benefited(self) -> int:
        return self.students_trained + self.interns_hosted
