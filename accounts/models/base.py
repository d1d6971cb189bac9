"""What the accounts app's models and the other apps' share: a field for codes people type, the
created/updated timestamps, and the choices of project type and verification status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeField(models.CharField):
    """An identifier typed by people: spaces dropped and letters upper-cased before validation."""

    def to_python(self, value):
        value = super().to_python(value)
        return "".join(value.split()).upper() if isinstance(value, str) else value


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ProjectType(models.TextChoices):
    DIRECTED_TRAINING = "directed_training", _("Directed talent training")
    INTERNSHIP_BASE = "internship_base", _("Employment internship base")
    WORKFORCE_DEVELOPMENT = "workforce_development", _("Workforce development")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
