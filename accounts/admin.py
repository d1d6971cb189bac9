from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .errors import Conflict
from .models import (
    AuditEvent,
    Employer,
    FocusArea,
    Notification,
    OutboundEmail,
    University,
    UniversityCapacity,
    UniversityStrength,
    User,
)
from .notifications import notification_text


@admin.action(description=_("Verify the selected organisations"))
def verify_selected(modeladmin, request, queryset):
    done = 0
    for organisation in queryset:
        try:
            services.organisation_verify(actor=request.user, organisation=organisation)
            done += 1
        except (Conflict, PermissionDenied) as exc:
            messages.warning(request, f"{organisation}: {exc}")
    messages.success(request, _("%(count)d verified.") % {"count": done})


class OrganisationAdmin(admin.ModelAdmin):
    list_filter = ["status", "province", "created_at"]
    readonly_fields = [
        "public_id",
        "status",
        "status_reason",
        "status_changed_at",
        "created_at",
        "updated_at",
    ]
    actions = [verify_selected]
    date_hierarchy = "created_at"
    list_per_page = 50


@admin.register(Employer)
class EmployerAdmin(OrganisationAdmin):
    list_display = ["name", "credit_code", "kind", "province", "city", "status", "created_at"]
    list_filter = ["status", "kind", "province", "created_at"]
    search_fields = ["name", "credit_code", "contact_person", "email", "phone"]


class StrengthInline(admin.TabularInline):
    model = UniversityStrength
    extra = 0
    autocomplete_fields = ["area"]


class CapacityInline(admin.TabularInline):
    model = UniversityCapacity
    extra = 0


@admin.register(University)
class UniversityAdmin(OrganisationAdmin):
    list_display = ["name", "institution_code", "tier", "province", "city", "status", "created_at"]
    list_filter = ["status", "tier", "province", "created_at"]
    search_fields = ["name", "institution_code", "contact_person", "email"]
    inlines = [StrengthInline, CapacityInline]


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "position"]
    list_filter = ["parent"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "email", "role", "employer", "university", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "first_name", "last_name", "employer__name", "university__name"]
    autocomplete_fields = ["employer", "university"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (_("Program role"), {"fields": ["role", "employer", "university", "language"]}),
    ]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_display",
        "client_address",
        "content_type",
        "object_id",
        "action",
        "from_status",
        "to_status",
    ]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["actor_username", "comment", "client_address"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor_username", "client_address", "hash"]

    @admin.display(description=_("actor"), ordering="actor_username")
    def actor_display(self, obj: AuditEvent) -> str:
        return obj.actor_name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Looked at when someone asks "did I get told?"; written only by the services."""

    list_display = ["user", "template", "created_at", "read_at", "emailed_at"]
    list_filter = [
        "template",
        ("read_at", admin.EmptyFieldListFilter),
        ("emailed_at", admin.EmptyFieldListFilter),
        "created_at",
    ]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "created_at"
    fields = ["user", "template", "text", "context", "url", "created_at", "read_at", "emailed_at"]
    readonly_fields = fields

    @admin.display(description=_("text"))
    def text(self, obj: Notification) -> str:
        return notification_text(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox, to see what waits, what was sent and what failed; a failed email can be
    tried again."""

    list_display = ["created_at", "to", "subject", "status", "attempts", "due_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject", "key"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
    actions = ["send_again"]

    @admin.action(description=_("Try the selected failed emails again"))
    def send_again(self, request, queryset):
        count = queryset.filter(status=OutboundEmail.Status.FAILED).update(
            status=OutboundEmail.Status.PENDING, attempts=0, due_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(count)d email will be tried again.", "%(count)d emails will be tried again.", count)
            % {"count": count},
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
