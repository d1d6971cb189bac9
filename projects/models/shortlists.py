"""A university's shortlist (收藏) of published projects, shared by its members."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import University

from .proposals import Proposal


class ShortlistEntry(models.Model):
    university = models.ForeignKey(University, on_delete=models.CASCADE, related_name="shortlist")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name = _("shortlisted project")
        verbose_name_plural = _("shortlisted projects")
        constraints = [
            models.UniqueConstraint(fields=["university", "proposal"], name="shortlisted_once"),
        ]

    def __str__(self) -> str:
        return f"{self.university} · {self.proposal}"
