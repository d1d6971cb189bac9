import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel, University
from projects.models import Call, Proposal

ALGORITHM_VERSION = "1.0 (numpy scoring, OR-Tools min-cost flow)"


class MatchRun(TimeStampedModel):
    """One matching run of a call: its parameters, progress, summary figures and candidates.
    The call's current results are those of its latest succeeded run."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, verbose_name=_("call round"), on_delete=models.PROTECT,
                             related_name="match_runs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0,
                                                validators=[MaxValueValidator(100)])
    weights = models.JSONField(_("weights"))
    k = models.PositiveSmallIntegerField(_("universities per project (k)"), default=20,
                                         validators=[MinValueValidator(1), MaxValueValidator(200)])
    m = models.PositiveSmallIntegerField(_("projects per university (m)"), default=50,
                                         validators=[MinValueValidator(1), MaxValueValidator(500)])
    shards = models.PositiveSmallIntegerField(_("shards"), default=1,
                                              validators=[MinValueValidator(1), MaxValueValidator(32)])
    algorithm_version = models.CharField(_("algorithm version"), max_length=64,
                                         default=ALGORITHM_VERSION)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    timings = models.JSONField(_("seconds per stage"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        indexes = [models.Index(fields=["call", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.call} · {self.created_at:%Y-%m-%d %H:%M}"


class Candidate(models.Model):
    """A scored university–project pair of a run, with the components that explain it."""

    # No index of its own: the composite indexes below start with the run.
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="candidates",
                            db_index=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    university = models.ForeignKey(University, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("score"))
    area_fit = models.FloatField(_("area fit"))
    capacity_fit = models.FloatField(_("capacity fit"))
    region = models.FloatField(_("region"))
    interest = models.FloatField(_("expressed interest"))
    rank = models.PositiveIntegerField(_("rank within the project"))
    proposed = models.BooleanField(_("proposed"), default=False)
    top_areas = models.JSONField(_("top contributing areas"), default=list)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [
            models.Index(fields=["run", "proposal", "rank"]),
            models.Index(fields=["run", "university", "-score"]),
            models.Index(fields=["run"], condition=models.Q(proposed=True),
                         name="candidate_proposed"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}–{self.university_id}: {self.score:.3f}"
