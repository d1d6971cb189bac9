import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common import audit

from .audit import AccountsAudit
from .provinces import PROVINCE_CHOICES, localised
from .validators import validate_credit_code, validate_institution_code, validate_mobile


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


class FocusArea(models.Model):
    """The program's AI focus-area taxonomy: six priority areas and their sub-areas."""

    code = models.CharField(
        _("code"), max_length=64, unique=True,
        validators=[RegexValidator(r"^[a-z_]+(\.[a-z_]+)?$")],
        help_text=_("A short code; a sub-area's is its parent's code, a dot and its own."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent area"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


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
        _("verification status"), max_length=10,
        choices=VerificationStatus.choices, default=VerificationStatus.PENDING, db_index=True,
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
        _("unified social credit code"), max_length=18, unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, as printed on the business licence or registration certificate."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    industry = models.CharField(_("industry"), max_length=100)

    class Meta(Organisation.Meta):
        verbose_name = _("employer")
        verbose_name_plural = _("employers")


class University(Organisation):
    class Tier(models.TextChoices):
        DOUBLE_FIRST_CLASS = "double_first_class", _("Double First-Class university")
        UNDERGRADUATE = "undergraduate", _("Undergraduate university")
        VOCATIONAL = "vocational", _("Vocational college")

    institution_code = CodeField(
        _("institution code"), max_length=10, unique=True,
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
    weight = models.FloatField(
        _("strength"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )

    class Meta:
        verbose_name = _("AI strength")
        verbose_name_plural = _("AI strengths")
        constraints = [
            models.UniqueConstraint(fields=["university", "area"], name="unique_strength_per_area"),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=1), name="strength_weight_0_1"
            ),
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
            models.UniqueConstraint(
                fields=["university", "project_type"], name="unique_capacity_per_type"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_type}: {self.places}/{self.projects}"


class User(AbstractUser):
    class Role(models.TextChoices):
        EMPLOYER = "employer", _("Employer")
        UNIVERSITY = "university", _("University")
        MINISTRY = "ministry", _("Ministry of Education")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, blank=True)
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    university = models.ForeignKey(
        University, verbose_name=_("university"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_digest = models.BooleanField(
        _("daily digest"), default=False,
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


class AuditEvent(models.Model):
    """Who did what to which object, when: written in the same transaction as the change, only
    through accounts.services.audit_record, which chains each event's hash onto the one before.

    Retention (MLPS 2.0 level 3): kept at least 180 days and never deleted by the portal; on
    PostgreSQL a trigger (migration 0007) refuses every UPDATE and DELETE of a row.
    """

    # Set by audit_record before hashing (auto_now_add would overwrite it on save).
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False, db_index=True)
    # The row keeps the id of a deleted user (no SET_NULL: the table is append-only, and the id
    # is hashed); actor_username keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
    )
    actor_username = models.CharField(_("actor's username"), max_length=150, blank=True,
                                      editable=False)
    # The request's client (accounts/client.py); blank for a task or a command. Text, not inet:
    # hashed as written, it must read back the same.
    client_address = models.CharField(_("client address"), max_length=45, blank=True,
                                      editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["actor", "created_at"],
                         condition=Q(action=AccountsAudit.CONTACT_VIEWED),
                         name="audit_contact_viewed"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"

    @property
    def actor_name(self) -> str:
        """The actor's username; once the user is deleted, the one recorded with the event."""
        return self.actor.get_username() if self.actor_present else self.actor_username

    @property
    def actor_present(self) -> bool:
        """Whether the actor still exists (the row keeps a deleted user's id)."""
        try:
            return self.actor is not None
        except ObjectDoesNotExist:
            return False

    @property
    def action_label(self) -> str:
        return audit.action_label(self.action)

    @property
    def from_label(self) -> str:
        return audit.status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return audit.status_label(self.to_status)


class Notification(models.Model):
    """An entry in a user's in-portal inbox. Its text is rendered from `template` when shown, in
    the reader's language; `url` is where the person acts on it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True),
                         name="notification_unread"),
            models.Index(fields=["user"], condition=Q(emailed_at__isnull=True),
                         name="notification_unemailed"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.template}"


class OutboundEmail(models.Model):
    """An email written in the same transaction as the change that causes it (the outbox), sent
    by a task once that commits, and retried with backoff until it is sent or has failed
    MAX_ATTEMPTS times (accounts/outbox.py). `key` makes queueing it twice a no-op, and is its
    Message-ID, so a copy resent after a crash is the same message to mail clients."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True,
                             on_delete=models.SET_NULL, related_name="+")
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When a sender may next take it: now when queued, later after a failure (backoff) or
    # while a sender holds it (its lease).
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["due_at"], condition=Q(status="pending"),
                                name="outbound_email_due")]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
