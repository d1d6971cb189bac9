from django import template

from ..models import RejectionReason

register = template.Library()


@register.filter
def rejection_reason(code: str) -> str:
    """The label of a rejection reason code, in the language being rendered."""
    return RejectionReason(code).label if code in RejectionReason.values else code
