from django.core.management.base import BaseCommand, CommandError

from accounts.audit_chain import first_broken
from accounts.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Recompute the audit log's hash chain in id order: exits 0 when it holds, else names "
        "the first event whose hash does not follow from the events before it."
    )

    def handle(self, *args, **options):
        events = AuditEvent.objects.order_by("pk").iterator(chunk_size=2000)
        broken, count = first_broken(events)
        if broken is not None:
            raise CommandError(
                f"Broken at audit event {broken.pk} ({broken.created_at.isoformat()}, "
                f"{broken.action}): its hash does not follow from the {count - 1} events before it; "
                f"it was changed or inserted, or the event before it removed."
            )
        self.stdout.write(f"OK: {count} records")
