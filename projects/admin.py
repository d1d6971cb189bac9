from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts.errors import Conflict

from . import services
from .models import Attachment, Call, CompliancePhrase, Proposal, ProposalArea
from .workflow import Status


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "year",
        "opens_at",
        "closes_at",
        "interest_closes_at",
        "ends_at",
        "max_proposals_per_employer",
        "revision_days",
    ]
    search_fields = ["name", "slug"]
    list_filter = ["year"]
    prepopulated_fields = {"slug": ["name"]}


class AreaInline(admin.TabularInline):
    model = ProposalArea
    extra = 0
    autocomplete_fields = ["area"]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["name", "size", "uploaded_at"]
    fields = ["name", "size", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Approve and publish the selected submitted proposals"))
def approve_selected(modeladmin, request, queryset):
    try:
        approved, skipped = services.proposal_bulk_approve(
            actor=request.user, proposals=queryset.filter(status=Status.SUBMITTED)
        )
    except Conflict as exc:
        messages.error(request, exc.message)
        return
    messages.success(
        request, _("%(approved)d approved, %(skipped)d skipped.") % {"approved": approved, "skipped": skipped}
    )


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "employer",
        "call",
        "project_type",
        "status",
        "host_province",
        "student_places",
        "submitted_at",
    ]
    list_filter = ["status", "call", "project_type", "host_province"]
    search_fields = ["title", "employer__name", "employer__credit_code"]
    list_select_related = ["employer", "call"]
    autocomplete_fields = ["employer"]
    readonly_fields = [
        "public_id",
        "status",
        "flags",
        "submitted_at",
        "returned_at",
        "decided_at",
        "created_at",
        "updated_at",
    ]
    inlines = [AreaInline, AttachmentInline]
    actions = [approve_selected]
    date_hierarchy = "submitted_at"
    list_per_page = 50
    show_full_result_count = False


@admin.register(CompliancePhrase)
class CompliancePhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase", "rule", "active"]
    list_filter = ["rule", "active"]
    list_editable = ["active"]
    search_fields = ["phrase"]
