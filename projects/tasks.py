from celery import shared_task

from .services import draft_reminders_send, saved_search_digest_send


@shared_task
def send_draft_reminders() -> int:
    return draft_reminders_send()


@shared_task
def send_saved_search_digests() -> int:
    return saved_search_digest_send()
