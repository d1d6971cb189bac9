from django.db import migrations, models


def field(label: str, help_text: str) -> models.DateTimeField:
    return models.DateTimeField(label, null=True, blank=True, help_text=help_text)


class Migration(migrations.Migration):
    """The call's later phase dates; blank (each existing call) is the default, counted from the
    phase before (Call.phase_dates)."""

    dependencies = [("projects", "0005_single_line_titles")]

    operations = [
        migrations.AddField(
            "call",
            "interest_closes_at",
            field(
                "interest deadline",
                "Universities may express interest until then. Blank for 30 days after the deadline.",
            ),
        ),
        migrations.AddField(
            "call",
            "brokering_closes_at",
            field(
                "brokering ends",
                "Matching and brokering end then. Blank for 60 days after the interest deadline.",
            ),
        ),
        migrations.AddField(
            "call",
            "ends_at",
            field(
                "round ends",
                "Implementation ends and the round closes then. Blank for a year after brokering.",
            ),
        ),
        migrations.AddConstraint(
            model_name="call",
            constraint=models.CheckConstraint(
                condition=models.Q(interest_closes_at__gte=models.F("closes_at"))
                & models.Q(brokering_closes_at__gte=models.F("interest_closes_at"))
                & models.Q(ends_at__gte=models.F("brokering_closes_at")),
                name="call_phases_in_order",
                violation_error_message="Each phase must end no earlier than the one before it.",
            ),
        ),
    ]
