"""The audit log is complete and tamper-evident (MLPS 2.0 level 3): who acted survives the user's
deletion, PostgreSQL refuses to change or delete an event, and `audit_verify` finds the first
event that does not follow from the ones before it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import AuditEvent, User
from accounts.services import audit_record
from tests.factories import EmployerUserFactory, MinistryUserFactory, ProposalFactory, log_in
from tests.races import race

TABLE = AuditEvent._meta.db_table
TRIGGER = "accounts_auditevent_append_only"


def record_some(count: int, actor: User) -> list[AuditEvent]:
    return [
        audit_record(actor=actor, target=actor.employer, action="updated", comment=f"#{n}")
        for n in range(count)
    ]


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue().strip()


def tamper(sql: str, params: list) -> None:
    """Run `sql` on the audit table behind the portal's back, as the table's owner could: on
    PostgreSQL with the trigger disabled, until the test's transaction rolls back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred check: run the pending foreign-key ones now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_actors_username_survives_the_users_deletion():
    reviewer = MinistryUserFactory(username="reviewer_wang")
    employer = EmployerUserFactory()
    event = audit_record(actor=reviewer, target=employer.employer, action="verified")

    reviewer.delete()

    stored = AuditEvent.objects.select_related("actor").get(pk=event.pk)
    assert (stored.actor, stored.actor_username, stored.actor_name) == (
        None,
        "reviewer_wang",
        "reviewer_wang",
    )
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "reviewer_wang"  # not selected
    assert verify() == "OK: 1 records"


@pytest.mark.django_db
def test_an_admin_deletes_a_user_who_acted_and_the_event_stays(client):
    log_in(client, MinistryUserFactory(is_staff=True, is_superuser=True))
    leaver = EmployerUserFactory(username="leaver")
    [event] = record_some(1, leaver)

    response = client.post(reverse("admin:accounts_user_delete", args=[leaver.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=leaver.pk).exists()
    assert AuditEvent.objects.get(pk=event.pk).actor_username == "leaver"
    page = client.get(reverse("admin:accounts_auditevent_changelist")).content.decode()
    assert "leaver" in page


@pytest.mark.django_db
def test_the_portal_acting_is_recorded_without_a_username(anonymous):
    employer = EmployerUserFactory()
    event = audit_record(actor=anonymous, target=employer.employer, action="viewed")

    assert (event.actor, event.actor_username, event.actor_name) == (None, "", "")


@pytest.mark.services
@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET comment = 'edited' WHERE id = %s",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE id = %s",  # noqa: S608
    ],
)
def test_postgresql_refuses_to_change_or_delete_an_event(statement):
    [event] = record_some(1, EmployerUserFactory())

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).comment == "#0"


@pytest.mark.services
@pytest.mark.django_db
def test_postgresql_refuses_the_orms_update_and_delete_too():
    record_some(2, EmployerUserFactory())

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(comment="edited")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.filter(comment__startswith="#").count() == 2


@pytest.mark.django_db
def test_each_event_is_chained_onto_the_one_before():
    events = record_some(3, EmployerUserFactory())

    assert len({event.hash for event in events}) == 3
    assert all(len(event.hash) == 64 for event in events)
    assert verify() == "OK: 3 records"


@pytest.mark.django_db
def test_an_empty_log_verifies():
    assert verify() == "OK: 0 records"


@pytest.mark.django_db
def test_verify_names_the_first_changed_event():
    events = record_some(4, EmployerUserFactory())
    for event in (events[1], events[3]):
        tamper(f"UPDATE {TABLE} SET comment = 'edited' WHERE id = %s", [event.pk])  # noqa: S608

    with pytest.raises(CommandError, match=rf"audit event {events[1].pk} \(.*, updated\)"):
        verify()


@pytest.mark.django_db
def test_verify_names_the_event_after_a_removed_one():
    events = record_some(3, EmployerUserFactory())
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])  # noqa: S608

    with pytest.raises(CommandError, match=rf"audit event {events[2].pk} "):
        verify()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_still_form_one_chain():
    actors = EmployerUserFactory.create_batch(4)

    def write(actor: User):
        return lambda: lambda: record_some(5, actor)

    outcomes = race(*(write(actor) for actor in actors))

    assert outcomes == ["ok"] * 4
    assert verify() == "OK: 20 records"


@pytest.mark.django_db
@pytest.mark.parametrize(("viewer", "shown"), [("ministry", "reviewer_li"), ("employer", None)])
def test_a_deleted_reviewer_is_named_to_the_ministry_only(request, api_for, client_for, viewer, shown):
    """A deleted user may have been a reviewer, whom the employer never sees by name."""
    owner = request.getfixturevalue("employer")
    proposal = ProposalFactory(employer=owner.employer, status="returned")
    reviewer = MinistryUserFactory(username="reviewer_li")
    audit_record(actor=reviewer, target=proposal, action="return", comment="请补充。")
    reviewer.delete()
    user = request.getfixturevalue(viewer)

    [event] = api_for(user).get(f"/api/v1/proposals/{proposal.public_id}/events/").json()
    page = client_for(user).get(reverse("projects:proposal-detail", args=[proposal.public_id]))

    assert event["actor"] == shown
    assert page.status_code == 200 and ("reviewer_li" in page.content.decode()) == bool(shown)


@pytest.mark.django_db
def test_a_changed_client_address_breaks_the_chain(client):
    employer = EmployerUserFactory()
    client.post(
        reverse("accounts:login"),
        {"username": employer.username, "password": "wrong"},
        REMOTE_ADDR="203.0.113.7",
    )
    record_some(1, employer)  # outside a request: no address
    assert list(AuditEvent.objects.order_by("pk").values_list("client_address", flat=True)) == [
        "203.0.113.7",
        "",
    ]
    assert verify() == "OK: 2 records"

    first = AuditEvent.objects.order_by("pk").first()
    tamper(f"UPDATE {TABLE} SET client_address = %s WHERE id = %s", ["198.51.100.1", first.pk])  # noqa: S608
    with pytest.raises(CommandError, match=f"Broken at audit event {first.pk} "):
        verify()
