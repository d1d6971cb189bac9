"""Proposals (项目指南) and what hangs off them: focus-area weights, attachments, the
rejection reasons and post-matching stages, and the compliance phrases that flag them."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Employer, FocusArea, ProjectType, TimeStampedModel
from accounts.provinces import PROVINCE_CHOICES
from accounts.validators import validate_mobile, validate_single_line

from ..workflow import Status
from .calls import Call


class RejectionReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("Out of the program's scope")
    INCOMPLETE = "incomplete", _("Incomplete")
    COMPLIANCE = "compliance", _("Breaks the program's rules")
    DUPLICATE = "duplicate", _("Duplicate")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    """Where a published project stands after matching; it follows its introductions."""

    OPEN = "", _("Seeking partners")
    MATCHED = "matched", _("Matched")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Proposal(TimeStampedModel):
    """An employer's AI project proposal (项目指南). Drafts may be incomplete; every field the
    program needs is required on submission (see services.SUBMIT_REQUIRED)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="proposals"
    )
    call = models.ForeignKey(
        Call, verbose_name=_("call round"), on_delete=models.PROTECT, related_name="proposals"
    )
    project_type = models.CharField(_("project type"), max_length=24, choices=ProjectType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    summary = models.CharField(
        _("summary"), max_length=500, blank=True, help_text=_("At most 500 characters; shown in lists.")
    )
    description = models.TextField(_("description"), blank=True)
    areas = models.ManyToManyField(FocusArea, through="ProposalArea", verbose_name=_("focus areas"))
    student_places = models.PositiveIntegerField(
        _("student places"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    partners_sought = models.PositiveIntegerField(
        _("partner universities sought"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    host_province = models.CharField(_("host province"), max_length=2, choices=PROVINCE_CHOICES, blank=True)
    host_city = models.CharField(_("host city"), max_length=100, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    funding_cny = models.PositiveIntegerField(_("funding (CNY)"), null=True, blank=True)
    in_kind_support = models.TextField(
        _("in-kind support"),
        blank=True,
        help_text=_("Software, hardware, mentors and other support offered."),
    )
    contact_person = models.CharField(
        _("contact person"), max_length=50, blank=True, validators=[validate_single_line]
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    # Fields that only some project types need (services.TYPE_FIELDS).
    training_hours = models.PositiveIntegerField(
        _("training hours"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    internship_places_per_year = models.PositiveIntegerField(
        _("internship places per year"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    trainees = models.PositiveIntegerField(
        _("teachers and staff to train"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    flags = models.JSONField(_("compliance flags"), default=list, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True, default=Stage.OPEN)
    partners_confirmed = models.PositiveIntegerField(
        _("partners confirmed"),
        default=0,
        editable=False,
        help_text=_("Universities whose introduction both sides accepted."),
    )
    # Title, summary, description and employer name cut into words by jieba: PostgreSQL's
    # text search (an index in migration 0005) and SQLite's fallback both search this.
    search_document = models.TextField(editable=False, blank=True, default="")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["employer", "call", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            # The public catalogue (status = published; bench/browse.py measures it): its
            # default and "newest" order and its "most places" order read in index order, so a
            # page (a deep one too) is not a sort of every published row; and province and
            # region filters counted from the index alone.
            models.Index(fields=["status", "-decided_at", "-id"], name="proposal_status_newest"),
            models.Index(fields=["status", "-student_places", "-id"], name="proposal_status_places"),
            models.Index(fields=["status", "host_province", "id"], name="proposal_status_province"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)


class ProposalArea(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="area_weights")
    area = models.ForeignKey(FocusArea, verbose_name=_("focus area"), on_delete=models.PROTECT)
    weight = models.FloatField(_("weight"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])

    class Meta:
        ordering = ["-weight"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "area"], name="unique_area_per_proposal"),
        ]
        indexes = [models.Index(fields=["area", "proposal"])]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.weight:.2f}"


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to="proposals/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CompliancePhrase(models.Model):
    """Text that suggests a breach of the program's rules; matched on submission to flag a
    proposal for the reviewer, never to reject it."""

    class Rule(models.TextChoices):
        EQUIPMENT = "equipment", _("Requires universities to buy equipment or software")
        FEES = "fees", _("Charges students or universities fees")
        MARKETING = "marketing", _("Uses the project to market products")

    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    phrase = models.CharField(_("phrase"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rule", "phrase"]
        verbose_name = _("compliance phrase")
        verbose_name_plural = _("compliance phrases")

    def __str__(self) -> str:
        return self.phrase
