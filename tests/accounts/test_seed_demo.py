"""The seed_demo command: known logins, valid synthetic data, reproducible by seed, idempotent."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory

from accounts.models import (
    Employer,
    ProjectType,
    University,
    UniversityCapacity,
    UniversityStrength,
    User,
    VerificationStatus,
)
from accounts.validators import validate_credit_code, validate_institution_code, validate_mobile

pytestmark = pytest.mark.django_db

DOCUMENTED_PASSWORD = "Portal-demo-2026"  # README, "Demo data"
LOGINS = ["ministry", "employer", "university", "pending"]


def seed(employers=12, universities=15, seed=7) -> str:
    out = StringIO()
    call_command(
        "seed_demo", employers=employers, universities=universities, seed=seed, projects=0, stdout=out
    )
    return out.getvalue()


def seed_and_discard(**options) -> dict:
    """Seed inside a savepoint, take a snapshot, and roll everything the seed wrote back (whatever
    apps it reaches), leaving the database as it was."""
    with transaction.atomic():
        seed(**options)
        taken = snapshot()
        transaction.set_rollback(True)
    assert not User.objects.exists() and not Employer.objects.exists()
    return taken


def snapshot() -> dict:
    return {
        "employers": list(
            Employer.objects.order_by("public_id").values_list(
                "public_id", "name", "credit_code", "province", "kind", "status", "phone"
            )
        ),
        "universities": list(
            University.objects.order_by("public_id").values_list(
                "public_id", "name", "institution_code", "tier", "status", "contact_person"
            )
        ),
        "strengths": sorted(
            UniversityStrength.objects.values_list("university__public_id", "area__code", "weight")
        ),
        "capacities": sorted(
            UniversityCapacity.objects.values_list(
                "university__public_id", "project_type", "places", "projects"
            )
        ),
        "users": sorted(
            User.objects.values_list("username", "role", "employer__public_id", "university__public_id")
        ),
    }


def test_seed_creates_the_requested_numbers_of_organisations():
    seed(employers=12, universities=15)

    assert Employer.objects.count() == 12
    assert University.objects.count() == 15
    assert UniversityStrength.objects.exists() and UniversityCapacity.objects.exists()


@pytest.mark.parametrize("username", LOGINS)
def test_every_demo_login_works_with_the_documented_password(username):
    seed()

    # As the login page asks: the sign-in protection needs the request (its address).
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=username, password=DOCUMENTED_PASSWORD) is not None


def test_demo_logins_have_the_documented_roles():
    seed()
    users = {u.username: u for u in User.objects.filter(username__in=LOGINS)}

    assert users["ministry"].is_ministry and users["ministry"].is_staff
    assert users["employer"].role == "employer" and users["employer"].employer.is_verified
    assert users["university"].role == "university" and users["university"].university.is_verified
    assert users["pending"].role == "employer"
    assert users["pending"].employer.status == VerificationStatus.PENDING
    assert users["pending"].employer != users["employer"].employer


def test_readme_documents_the_demo_password():
    readme = Path(settings.BASE_DIR) / "README.md"

    assert DOCUMENTED_PASSWORD in readme.read_text(encoding="utf-8")


def test_seed_prints_the_demo_logins_and_password():
    output = seed()

    assert DOCUMENTED_PASSWORD in output
    assert all(username in output for username in LOGINS)


def test_demo_organisations_pass_the_models_own_validation():
    seed(employers=20, universities=20, seed=11)

    for organisation in [*Employer.objects.all(), *University.objects.all()]:
        organisation.full_clean()
    for employer in Employer.objects.all():
        validate_credit_code(employer.credit_code)
        validate_mobile(employer.phone)
    for university in University.objects.all():
        validate_institution_code(university.institution_code)


def test_demo_profiles_use_known_areas_and_sane_numbers():
    seed()

    assert all(0 < s.weight <= 1 for s in UniversityStrength.objects.all())
    assert all(
        c.project_type in ProjectType.values and c.places > 0 and c.projects > 0
        for c in UniversityCapacity.objects.all()
    )


def test_demo_data_has_every_verification_status():
    seed(employers=40, universities=40, seed=3)

    statuses = set(Employer.objects.values_list("status", flat=True)) | set(
        University.objects.values_list("status", flat=True)
    )
    assert statuses == set(VerificationStatus.values)


def test_same_seed_gives_the_same_data():
    first = seed_and_discard(seed=2026)

    seed(seed=2026)

    assert snapshot() == first
    assert len(first["employers"]) == 12 and len(first["strengths"]) > 0


def test_another_seed_gives_other_data():
    first = seed_and_discard(seed=1)

    seed(seed=2)

    second = snapshot()
    assert second["employers"] != first["employers"]
    assert {e[0] for e in second["employers"]}.isdisjoint({e[0] for e in first["employers"]})


def test_second_run_adds_nothing():
    seed(seed=5)
    first = snapshot()

    output = seed(employers=30, universities=30, seed=6)

    assert snapshot() == first
    assert "already loaded" in output


@pytest.mark.parametrize(("employers", "universities"), [(1, 5), (5, 0)])
def test_too_small_a_demo_is_refused(employers, universities):
    with pytest.raises(CommandError):
        seed(employers=employers, universities=universities)

    assert not User.objects.exists() and not Employer.objects.exists()
