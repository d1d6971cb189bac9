"""A matching run and what it produced: the run's parameters, progress and summary, its scored
candidates, and each university's candidate ids packed for the results grouped by university."""

import uuid

import numpy as np
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStampedModel, University
from projects.models import Call, Proposal

ALGORITHM_VERSION = "2.0 (numpy scoring, HiGHS relaxation and integer programme)"
DEFAULT_MIN_AREA_FIT = 0.10


class MatchRun(TimeStampedModel):
    """One matching run of a call: its parameters, progress, summary figures and candidates.
    The call's current results are those of its latest succeeded run."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(
        Call, verbose_name=_("call round"), on_delete=models.PROTECT, related_name="match_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    weights = models.JSONField(_("weights"))
    k = models.PositiveSmallIntegerField(
        _("universities per project (k)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    m = models.PositiveSmallIntegerField(
        _("projects per university (m)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    shards = models.PositiveSmallIntegerField(
        _("shards"), default=1, validators=[MinValueValidator(1), MaxValueValidator(32)]
    )
    min_area_fit = models.FloatField(
        _("AI-fit floor"),
        default=DEFAULT_MIN_AREA_FIT,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_(
            "A pair whose area fit is below it is never proposed (mutual-interest pairs "
            "excepted); it stays a ranked candidate."
        ),
    )
    bound = models.FloatField(_("upper bound"), null=True, blank=True)
    gap = models.FloatField(_("gap to the bound"), null=True, blank=True)
    solver = models.CharField(_("solver"), max_length=120, blank=True)
    algorithm_version = models.CharField(_("algorithm version"), max_length=64, default=ALGORITHM_VERSION)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    timings = models.JSONField(_("seconds per stage"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Not stored: set by services.match_run_create when the task queue could not take the run.
    queue_unavailable: bool = False

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        indexes = [models.Index(fields=["call", "status", "-finished_at"])]

    def __str__(self) -> str:
        return f"{self.call} · {self.created_at:%Y-%m-%d %H:%M}"


class Candidate(models.Model):
    """A scored university–project pair of a run, with the components that explain it and,
    when it was not proposed, why."""

    class Reason(models.IntegerChoices):
        # The engine's codes (engine.placement), in the order they are checked.
        NONE = 0, _("Proposed")
        INTRODUCED = 1, _("An introduction of this pair already exists")
        INELIGIBLE = (
            2,
            _(
                "It scores 0: the university has no student places or project slots "
                "left of this type, or nothing it offers counts under the run's weights"
            ),
        )
        BELOW_FLOOR = 3, _("Its AI area fit is below the run's floor")
        PROJECT_FULL = 4, _("The project's partner places went to other universities")
        SLOTS_TAKEN = 5, _("The university's project slots of this type went to other projects")
        PLACES_TAKEN = (
            6,
            _("The university's student places of this type left are fewer than this project's share"),
        )

    # A run writes 1.5 million rows, in project order, so their only indexes are the primary
    # key, the run's projects by rank and the proposed pairs: each index costs about a second of
    # that write, and one by university, filled out of order, four. A run's candidates at a
    # university are found through UniversityCandidates instead. No database constraints either:
    # their deferred foreign-key checks would cost half a minute at commit, for rows the run has
    # just read; deletions still cascade through Django (deleting a project or university, which
    # only the admin can, then scans the table).
    run = models.ForeignKey(
        MatchRun, on_delete=models.CASCADE, related_name="candidates", db_index=False, db_constraint=False
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    university = models.ForeignKey(
        University, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    score = models.FloatField(_("score"))
    area_fit = models.FloatField(_("area fit"))
    capacity_fit = models.FloatField(_("capacity fit"))
    region = models.FloatField(_("region"))
    interest = models.FloatField(_("expressed interest"))
    rank = models.PositiveIntegerField(_("rank within the project"))
    proposed = models.BooleanField(_("proposed"), default=False)
    reason = models.PositiveSmallIntegerField(
        _("why not proposed"), choices=Reason.choices, default=Reason.NONE
    )
    # Area codes, space-separated: PostgreSQL copies plain text in far faster than JSON.
    top_area_codes = models.CharField(_("top contributing areas"), max_length=200, blank=True)

    # Not stored: the size of the row's group on a results page (selectors._with_sizes).
    group_size: int

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [
            models.Index(fields=["run", "proposal", "rank"]),
            models.Index(fields=["run"], condition=models.Q(proposed=True), name="candidate_proposed"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}–{self.university_id}: {self.score:.3f}"

    @property
    def top_areas(self) -> list[str]:
        """The focus areas contributing most to the area fit, best first."""
        return self.top_area_codes.split()

    @top_areas.setter
    def top_areas(self, codes: list[str]) -> None:
        self.top_area_codes = " ".join(codes)

    @property
    def reason_code(self) -> str | None:
        """The reason as the API and exports name it; None for a proposed pair."""
        return self.Reason(self.reason).name.lower() if self.reason else None


class UniversityCandidates(models.Model):
    """The ids of a run's candidates at one university, packed (little-endian 64-bit integers)
    in the order the results show them: proposed first, then by score, then by id. How the
    results grouped by university find them without an index by university on every candidate."""

    # The unique constraint's index serves both: no index of their own.
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="+", db_index=False)
    university = models.ForeignKey(University, on_delete=models.CASCADE, related_name="+", db_index=False)
    ids = models.BinaryField(_("candidate ids"))

    class Meta:
        verbose_name = _("a university's candidates")
        verbose_name_plural = _("universities' candidates")
        constraints = [
            models.UniqueConstraint(fields=["run", "university"], name="university_candidates_once")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.university_id}"


def pack_ids(ids) -> bytes:
    return np.asarray(ids, dtype="<i8").tobytes()


def unpack_ids(packed) -> list[int]:
    return np.frombuffer(bytes(packed), dtype="<i8").tolist()
