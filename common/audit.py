"""The base of the audit action catalogue: each app declares the actions it records, with their
labels, in its own `audit.py`, and the history pages read the labels through here.

An app's catalogue is a subclass of `AuditAction` (in the manner of Zulip's named audit log event
types, but one per app, since this package imports none). A member's value is the code stored in
`AuditEvent.action`; never change one, the events' hash chain covers it. Its label is what the
history shows, in the past tense. The same module names, in `AUDITED_STATUSES`, the status
choices (classes, or their dotted paths where importing them would be circular) whose codes its
events record in `from_status` and `to_status`.

The modules are found as the admin finds `admin.py`: every installed app's `audit` module is
imported the first time a label is asked for, so no app has to register anything at start-up.
"""

import sys
from collections.abc import Iterable
from functools import cache
from types import ModuleType

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules, import_string

Label = str | Promise  # a label, lazy or not


class AuditAction(TextChoices):
    """Subclass it with an app's actions: `CALL_CREATED = "call_created", _("Call opened")`."""


def _subclasses(cls: type[AuditAction]) -> list[type[AuditAction]]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def _merge(choices: Iterable[tuple[str, Label]], kind: str) -> dict[str, Label]:
    merged: dict[str, Label] = {}
    for code, label in choices:
        # Two apps may name the same code only if they mean the same thing by it.
        if code in merged and str(merged[code]) != str(label):
            raise ImproperlyConfigured(
                f"The audit {kind} {code!r} has two labels: {merged[code]!r} and {label!r}."
            )
        merged[code] = label
    return merged


@cache
def _catalogue() -> tuple[dict[str, Label], dict[str, Label]]:
    modules = [module for module in _discover() if module is not None]
    actions = _merge(
        ((member.value, member.label) for catalogue in _subclasses(AuditAction) for member in catalogue),
        "action",
    )
    statuses = _merge(
        (
            choice
            for module in modules
            for choices in getattr(module, "AUDITED_STATUSES", ())
            for choice in _choices(choices)
        ),
        "status",
    )
    return actions, statuses


def _choices(choices: type[TextChoices] | str) -> list[tuple[str, Label]]:
    return list((import_string(choices) if isinstance(choices, str) else choices).choices)


def _discover() -> list[ModuleType | None]:
    autodiscover_modules("audit")
    return [sys.modules.get(f"{config.name}.audit") for config in apps.get_app_configs()]


def action_labels() -> dict[str, Label]:
    """Every declared action's label, by code."""
    return _catalogue()[0]


def action_label(code: str) -> Label:
    """The action's label (lazy, in the reader's language), or the code if none is declared."""
    return action_labels().get(code, code)


def status_label(code: str) -> Label:
    """The status's label, or the code if no app's audit module names it."""
    return _catalogue()[1].get(code, code)
