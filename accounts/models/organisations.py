"""Employers and universities (one abstract organisation with a verification status), and a
university's AI strengths and capacity per project type."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..provinces import PROVINCE_CHOICES, PROVINCES, localised
from ..validators import (
    credit_code_province,
    validate_credit_code,
    validate_institution_code,
    validate_mobile,
)
from .areas import FocusArea
from .base import CodeField, ProjectType, TimeStampedModel, VerificationStatus


def _name(code: str) -> str:
    return str(localised(PROVINCES[code].name_zh, PROVINCES[code].name_en))


class Organisation(TimeStampedModel):
    """What employers and universities share: identity, place and verification status."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    province = models.CharField(_("province"), max_length=2, choices=PROVINCE_CHOICES)
    city = models.CharField(_("city"), max_length=100)
    contact_person = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, validators=[validate_mobile])
    email = models.EmailField(_("contact email"))
    status = models.CharField(
        _("verification status"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
        db_index=True,
    )
    status_reason = models.TextField(_("reason for rejection"), blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.status == VerificationStatus.VERIFIED


class Employer(Organisation):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        INDUSTRY_ASSOCIATION = "industry_association", _("Industry association")
        OTHER = "other", _("Other organisation")

    credit_code = CodeField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, as printed on the business licence or registration certificate."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    industry = models.CharField(_("industry"), max_length=100)

    class Meta(Organisation.Meta):
        verbose_name = _("employer")
        verbose_name_plural = _("employers")

    def clean(self) -> None:
        """The credit code's division digits name the province that registered it: one that
        clearly names another province than the one given is refused."""
        super().clean()
        registered = credit_code_province(self.credit_code or "")
        if registered in PROVINCES and self.province in PROVINCES and registered != self.province:
            raise ValidationError(
                {
                    "credit_code": _(
                        "Characters 3 to 8 of this code say it was registered in %(registered)s, "
                        "but the province given is %(province)s; check the code and the province."
                    )
                    % {"registered": _name(registered), "province": _name(self.province)}
                }
            )


class University(Organisation):
    class Tier(models.TextChoices):
        DOUBLE_FIRST_CLASS = "double_first_class", _("Double First-Class university")
        UNDERGRADUATE = "undergraduate", _("Undergraduate university")
        VOCATIONAL = "vocational", _("Vocational college")

    institution_code = CodeField(
        _("institution code"),
        max_length=10,
        unique=True,
        validators=[validate_institution_code],
        help_text=_("The 10-digit code issued by the Ministry of Education."),
    )
    tier = models.CharField(_("tier"), max_length=24, choices=Tier.choices)

    class Meta(Organisation.Meta):
        verbose_name = _("university")
        verbose_name_plural = _("universities")


class UniversityStrength(models.Model):
    university = models.ForeignKey(University, on_delete=models.CASCADE, related_name="strengths")
    area = models.ForeignKey(FocusArea, verbose_name=_("focus area"), on_delete=models.PROTECT)
    weight = models.FloatField(_("strength"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])

    class Meta:
        verbose_name = _("AI strength")
        verbose_name_plural = _("AI strengths")
        constraints = [
            models.UniqueConstraint(fields=["university", "area"], name="unique_strength_per_area"),
            models.CheckConstraint(condition=Q(weight__gte=0) & Q(weight__lte=1), name="strength_weight_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.weight}"


class UniversityCapacity(models.Model):
    university = models.ForeignKey(University, on_delete=models.CASCADE, related_name="capacities")
    project_type = models.CharField(_("project type"), max_length=24, choices=ProjectType.choices)
    places = models.PositiveIntegerField(_("student places"))
    projects = models.PositiveIntegerField(_("most projects this round"))

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        constraints = [
            models.UniqueConstraint(fields=["university", "project_type"], name="unique_capacity_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.project_type}: {self.places}/{self.projects}"
