"""System checks of the accounts app's settings."""

from django.conf import settings
from django.core import checks

from .tasks import send_due_emails, send_outbox_email


@checks.register()
def outbox_lease_outlasts_a_send(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A sender holds an outbox email for OUTBOX_LEASE while it sends; the email is free to
    take again when the lease ends. So the lease must outlast the longest a send can take: the
    hard time limit of the tasks that send, past which the worker kills them."""
    lease = settings.OUTBOX_LEASE.total_seconds()
    errors = []
    for task in (send_outbox_email, send_due_emails):
        limit = task.time_limit or task.app.conf.task_time_limit
        if limit is None or lease <= limit:
            errors.append(
                checks.Error(
                    f"OUTBOX_LEASE ({lease:g} s) must be longer than {task.name}'s hard time limit "
                    f"({limit or 'none'} s): a second sender could take an email still being sent.",
                    hint="Raise OUTBOX_LEASE_SECONDS, or lower the task's time_limit.",
                    id="accounts.E001",
                )
            )
    return errors
