"""What the matching tests share: a cache of their own, a pending university, and a helper
that sets a university's AI strengths and capacity."""

import uuid

import pytest

from accounts.models import FocusArea, UniversityCapacity, UniversityStrength
from tests.factories import UniversityUserFactory


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """The recommendation cache under a key prefix of this test's own, so no ranking leaks
    between tests; clearing would flush the whole Redis database other runs share."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture
def pending_university(db):
    return UniversityUserFactory(username="pending_university", university__status="pending")


def set_profile(university, strengths: dict[str, float], capacity: dict[str, tuple[int, int]]):
    """strengths {area_code: weight}; capacity {project_type: (places, projects)}."""
    areas = {a.code: a for a in FocusArea.objects.filter(code__in=strengths)}
    UniversityStrength.objects.filter(university=university).delete()
    UniversityStrength.objects.bulk_create(
        UniversityStrength(university=university, area=areas[code], weight=weight)
        for code, weight in strengths.items()
    )
    UniversityCapacity.objects.filter(university=university).delete()
    UniversityCapacity.objects.bulk_create(
        UniversityCapacity(university=university, project_type=t, places=places, projects=projects)
        for t, (places, projects) in capacity.items()
    )
    return university
