"""Snapshot the actor's username on the existing audit events and chain them in id order."""

from django.db import migrations

from accounts.audit_chain import event_hash


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    User = apps.get_model("accounts", "User")
    usernames = dict(User.objects.values_list("pk", "username"))
    previous, batch = "", []
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        event.actor_username = usernames.get(event.actor_id, "")
        event.hash = previous = event_hash(previous, event)
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["actor_username", "hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["actor_username", "hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_audit_chain_fields"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
