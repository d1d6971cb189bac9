from django.http import HttpRequest

from .notifications import notification_unread_count


def inbox(request: HttpRequest) -> dict:
    """`unread_notifications`: how many of the user's notifications are unread, for the nav."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": notification_unread_count(user)}
