"""Saved catalogue searches and the projects already emailed for each."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .proposals import Proposal


class SavedSearch(models.Model):
    """A university user's catalogue filters, emailed weekly with newly published matches."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name


class SavedSearchHit(models.Model):
    """A project already emailed for a saved search: each is sent at most once."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="hits")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "proposal"], name="one_hit_per_saved_search_and_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.saved_search_id}: {self.proposal_id}"
