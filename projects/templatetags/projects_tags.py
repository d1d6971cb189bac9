import re
from decimal import Decimal

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..models import RejectionReason

register = template.Library()


@register.filter
def rejection_reason(code: str) -> str:
    """The label of a rejection reason code, in the language being rendered."""
    return RejectionReason(code).label if code in RejectionReason.values else code


@register.filter
def money(value) -> str:
    """An amount in yuan as the program writes it: “50 万元” in Chinese (units of 10,000, up to
    two decimals), “CNY 500,000” in English, with separators in both (the zh locale sets none);
    “—” when there is none."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value)
    if (get_language() or "").startswith("zh"):
        wan = (amount / 10000).quantize(Decimal("0.01"))
        places = next(n for n in (0, 1, 2) if wan == wan.quantize(Decimal(1).scaleb(-n)))
        return f"{wan:,.{places}f} 万元"
    places = 2 if amount != amount.to_integral_value() else 0
    return f"CNY {amount:,.{places}f}"


@register.filter
def highlight(text, terms) -> SafeString:
    """The text, escaped, with each of the search's words marked; longer words first, so that a
    sub-word does not split a word it is part of."""
    text = str(text or "")
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[last : match.start()]), format_html("<mark>{}</mark>", match.group())]
        last = match.end()
    return mark_safe("".join([*parts, escape(text[last:])]))  # noqa: S308 (every piece escaped)
