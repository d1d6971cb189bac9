"""Helpers that the accounts test modules share (their fixtures are in conftest.py): a record's
audit history, a university profile and how to read it back, and what the page and API tests
need to find a field, a redirect to the login page or an organisation's URL."""

import re

from django.urls import reverse

from accounts import selectors
from accounts.models import AuditEvent, Employer, University

NEW_PASSWORD = "Ai-match-2026!"
DASHBOARD = reverse("matching:workbench")
LOGIN = reverse("accounts:login")


def events_for(organisation) -> list[AuditEvent]:
    return list(selectors.organisation_history(organisation))


# --- a university's profile -----------------------------------------------------------------

STRENGTHS = {"ml": 0.9, "cv": 0.6, "cv.medical_imaging": 0.75}
CAPACITY = {
    "directed_training": {"places": 40, "projects": 3},
    "internship_base": {"places": 120, "projects": 2},
}


def profile_of(university):
    fresh = selectors.with_profile(University.objects.filter(pk=university.pk)).get()
    return selectors.university_profile(fresh)


# --- pages ----------------------------------------------------------------------------------


def input_tag(response, name: str) -> str:
    match = re.search(rf'<(?:input|select)[^>]*\sname="{re.escape(name)}"[^>]*>', response.content.decode())
    assert match, f"no input named {name}"
    return match.group(0)


def is_login_redirect(response, next_url: str) -> bool:
    return response.status_code == 302 and response.url == f"{LOGIN}?next={next_url}"


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


PROFILE = reverse("accounts:university-profile")  # the university profile page


def profile_form(**values) -> dict:
    data = {
        f"capacity:{t}:{k}": ""
        for t in ("directed_training", "internship_base", "workforce_development")
        for k in ("places", "projects")
    }
    return {**data, **values}


def review_url(organisation) -> str:
    kind = "employer" if isinstance(organisation, Employer) else "university"
    return reverse("accounts:organisation-review", args=[kind, organisation.public_id])


# --- API ------------------------------------------------------------------------------------


def url(kind: str, organisation=None, action: str = "") -> str:
    path = f"/api/v1/{kind}/"
    if organisation is not None:
        path += f"{organisation.public_id}/"
    return path + (f"{action}/" if action else "")
