"""Every read of accounts and organisations that depends on who asks."""

from django.db.models import Q, QuerySet

from . import permissions
from .models import AuditEvent, Employer, FocusArea, University, User, VerificationStatus

Organisation = Employer | University


def organisations_visible_to(user: User, model: type[Organisation]) -> QuerySet:
    """Ministry staff see every organisation; anyone else only their own."""
    queryset = model.objects.all()
    if permissions.is_ministry(user):
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    own_id = user.employer_id if model is Employer else user.university_id
    return queryset.filter(pk=own_id) if own_id else queryset.none()


def organisation_list(
    *, user: User, model: type[Organisation], status: str = "", search: str = "", province: str = ""
) -> QuerySet:
    queryset = organisations_visible_to(user, model)
    if status:
        queryset = queryset.filter(status=status)
    if province:
        queryset = queryset.filter(province=province)
    if search:
        code = "credit_code" if model is Employer else "institution_code"
        queryset = queryset.filter(Q(name__icontains=search) | Q(**{f"{code}__istartswith": search}))
    return queryset.order_by("created_at", "pk")


def pending_counts() -> dict[str, int]:
    """How many employers and universities wait for verification."""
    return {
        kind: model.objects.filter(status=VerificationStatus.PENDING).count()
        for kind, model in (("employer", Employer), ("university", University))
    }


def with_profile(queryset: QuerySet) -> QuerySet:
    """Universities with their strengths and capacities loaded in two queries, not per row."""
    return queryset.prefetch_related("strengths__area", "capacities")


def university_profile(university: University) -> tuple[dict[str, float], dict[str, dict]]:
    """The API's shapes: strengths {area_code: weight}, capacity {type: {places, projects}}.
    Load the university through with_profile() to avoid a query per strength."""
    strengths = {s.area.code: s.weight for s in university.strengths.all()}
    capacity = {
        c.project_type: {"places": c.places, "projects": c.projects} for c in university.capacities.all()
    }
    return strengths, capacity


def focus_area_list() -> QuerySet:
    return FocusArea.objects.select_related("parent").order_by("position", "code")


def organisation_history(organisation: Organisation) -> QuerySet:
    return AuditEvent.objects.filter(
        content_type__app_label="accounts",
        content_type__model=type(organisation)._meta.model_name,
        object_id=organisation.pk,
    ).select_related("actor")
