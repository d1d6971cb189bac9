"""API tokens moved to django-rest-knox (hashed, expiring): the old tokens of DRF's authtoken
app, kept in plain text, are dropped with their table. Their holders ask for a new token."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_audit_append_only")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
