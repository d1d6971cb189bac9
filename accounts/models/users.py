"""The portal's user: a role, and the one organisation that role names."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .organisations import Employer, University


class User(AbstractUser):
    class Role(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        UNIVERSITY = "university", _("University")
        MINISTRY = "ministry", _("Ministry of Education")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    university = models.ForeignKey(
        University,
        verbose_name=_("university"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("One email a day listing new notifications, instead of one email per event."),
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            # A user belongs to exactly the organisation its role names, and only to that one.
            models.CheckConstraint(
                name="user_organisation_matches_role",
                condition=(
                    Q(role="employer", employer__isnull=False, university__isnull=True)
                    | Q(role="university", university__isnull=False, employer__isnull=True)
                    | Q(role__in=["ministry", ""], employer__isnull=True, university__isnull=True)
                ),
            ),
        ]

    @property
    def is_ministry(self) -> bool:
        return self.is_active and (self.role == self.Role.MINISTRY or self.is_superuser)

    @property
    def organisation(self) -> Employer | University | None:
        return self.employer or self.university
