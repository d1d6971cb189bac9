"""On PostgreSQL, a trigger refuses every UPDATE and DELETE of an audit event (MLPS 2.0 level 3:
the audit log is append-only). SQLite, for development only, gets nothing."""

from django.db import migrations

INSTALL = """
CREATE FUNCTION accounts_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on accounts_auditevent', TG_OP;
END
$$;
CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""

REMOVE = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_audit_chain_backfill"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
