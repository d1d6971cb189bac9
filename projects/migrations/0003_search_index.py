"""PostgreSQL only: a GIN index over the jieba-segmented search document, on the same
expression Django's SearchVector(config="simple") writes, so text search uses it."""

from django.db import migrations

INDEX = "projects_proposal_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON projects_proposal USING gin "
            "(to_tsvector('simple'::regconfig, COALESCE(search_document, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_compliance_phrases")]
    operations = [migrations.RunPython(create, drop)]
