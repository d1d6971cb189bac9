import django.db.models.deletion
import numpy as np
from django.db import migrations, models

TOP_AREAS_AS_TEXT = {
    "postgresql": "UPDATE matching_candidate SET top_area_codes = (SELECT coalesce(string_agg(code, ' '), '') "
                  "FROM jsonb_array_elements_text(top_areas) AS code)",
    "sqlite": "UPDATE matching_candidate SET top_area_codes = (SELECT coalesce(group_concat(value, ' '), '') "
              "FROM json_each(top_areas))",
}


def top_areas_as_text(apps, schema_editor):
    schema_editor.execute(TOP_AREAS_AS_TEXT[schema_editor.connection.vendor])


def pack_university_candidates(apps, schema_editor):
    """The earlier runs' candidates at each university, in the order the results show them."""
    Candidate = apps.get_model("matching", "Candidate")
    UniversityCandidates = apps.get_model("matching", "UniversityCandidates")
    for run_id in apps.get_model("matching", "MatchRun").objects.values_list("pk", flat=True):
        pairs = np.array(list(Candidate.objects.filter(run_id=run_id)
                              .values_list("university_id", "pk")
                              .order_by("university_id", "-proposed", "-score", "pk")),
                         dtype=np.int64).reshape(-1, 2)
        if not len(pairs):
            continue
        universities, starts = np.unique(pairs[:, 0], return_index=True)
        UniversityCandidates.objects.bulk_create(
            UniversityCandidates(run_id=run_id, university_id=int(university),
                                 ids=ids.astype("<i8").tobytes())
            for university, ids in zip(universities, np.split(pairs[:, 1], starts[1:]), strict=True))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_notifications'),
        ('matching', '0004_run_places_floor_bound_reasons'),
    ]

    operations = [
        migrations.AddField(
            model_name='candidate',
            name='top_area_codes',
            field=models.CharField(blank=True, max_length=200, verbose_name='top contributing areas'),
        ),
        migrations.RunPython(top_areas_as_text, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='candidate',
            name='top_areas',
        ),
        migrations.RemoveIndex(
            model_name='candidate',
            name='matching_ca_run_id_c088f8_idx',
        ),
        migrations.CreateModel(
            name='UniversityCandidates',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ids', models.BinaryField(verbose_name='candidate ids')),
                ('run', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='matching.matchrun')),
                ('university', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.university')),
            ],
            options={
                'verbose_name': "a university's candidates",
                'verbose_name_plural': "universities' candidates",
                'constraints': [models.UniqueConstraint(fields=('run', 'university'), name='university_candidates_once')],
            },
        ),
        migrations.RunPython(pack_university_candidates, migrations.RunPython.noop),
    ]
