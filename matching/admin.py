from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .brokering import introductions
from .brokering.views import sent_message
from .brokering.workflow import Status
from .models import Agreement, Introduction, MatchRun, Milestone, OutcomeReport


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = [
        "call",
        "status",
        "progress",
        "min_area_fit",
        "gap",
        "created_at",
        "finished_at",
        "published_at",
    ]
    list_filter = ["status", "call"]
    list_select_related = ["call"]
    readonly_fields = [field.name for field in MatchRun._meta.fields]

    def has_add_permission(self, request):
        return False  # runs start from the matching page or the API, which enqueue them


class AgreementInline(admin.StackedInline):
    model = Agreement
    extra = 0
    readonly_fields = [
        "signed_on",
        "places_agreed",
        "funding_agreed_cny",
        "document",
        "recorded_by",
        "recorded_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    readonly_fields = ["title", "happened_on", "note", "recorded_by", "recorded_at"]

    def has_add_permission(self, request, obj=None):
        return False


class OutcomeInline(admin.StackedInline):
    model = OutcomeReport
    extra = 0
    readonly_fields = [
        "status",
        "students_trained",
        "interns_hosted",
        "graduates_hired",
        "funding_delivered_cny",
        "narrative",
        "evidence",
        "comment",
        "submitted_at",
        "confirmed_at",
        "decided_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Send the selected proposed introductions"))
def send_selected(modeladmin, request, queryset):
    sent, problems = introductions.introductions_send(
        actor=request.user, introductions=queryset.filter(status=Status.PROPOSED)
    )
    messages.success(request, sent_message(sent))
    for problem in problems:
        messages.error(request, problem)


@admin.register(Introduction)
class IntroductionAdmin(admin.ModelAdmin):
    """Status changes go through the services (the pages, the API or the action below), so they
    are checked, audited and notified; here staff search, read and correct the message."""

    list_display = [
        "proposal",
        "university",
        "status",
        "places",
        "employer_response",
        "university_response",
        "sent_at",
        "expires_at",
    ]
    list_filter = ["status", "proposal__call", "decline_reason"]
    search_fields = [
        "proposal__title",
        "proposal__employer__name",
        "university__name",
        "university__institution_code",
    ]
    list_select_related = ["proposal", "university"]
    readonly_fields = [
        "public_id",
        "proposal",
        "university",
        "candidate",
        "broker",
        "status",
        "places",
        "employer_response",
        "employer_responded_at",
        "university_response",
        "university_responded_at",
        "decline_reason",
        "decline_comment",
        "sent_at",
        "expires_at",
        "accepted_at",
        "created_at",
        "updated_at",
    ]
    inlines = [AgreementInline, MilestoneInline, OutcomeInline]
    actions = [send_selected]
    date_hierarchy = "created_at"
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
