"""Service tests on the real database: a user's remembered language (user_set_language), and
an audit record written without a signed-in actor (audit_record)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import services
from accounts.models import User
from tests.factories import EmployerFactory

pytestmark = pytest.mark.django_db


# --- user_set_language ----------------------------------------------------------------------


def test_user_language_is_remembered(employer):
    services.user_set_language(user=employer, language="en")

    assert User.objects.get(pk=employer.pk).language == "en"


@pytest.mark.parametrize("language", ["fr", "", "zh", "EN"])
def test_unknown_language_is_ignored(employer, language):
    services.user_set_language(user=employer, language=language)

    assert User.objects.get(pk=employer.pk).language == "zh-hans"


# --- audit_record ----------------------------------------------------------------------------


def test_anonymous_actor_is_recorded_as_no_one():
    organisation = EmployerFactory()

    event = services.audit_record(actor=AnonymousUser(), target=organisation, action="viewed")

    assert event.actor is None and event.target == organisation
