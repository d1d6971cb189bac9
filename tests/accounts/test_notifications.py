"""The in-portal inbox: what notify_members writes and emails, the daily digest, the inbox page
(each user sees only their own), its actions, the email preference and the unread count."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts import tasks
from accounts.context_processors import inbox
from accounts.models import Notification, OutboundEmail
from accounts.notifications import notify_members, notify_users
from accounts.services import user_set_digest
from tests.accounts.conftest import _mo_bytes
from tests.factories import EmployerFactory, EmployerUserFactory
from tests.pages import flashed

pytestmark = pytest.mark.django_db

INBOX = reverse("accounts:inbox")
READ_ALL = reverse("accounts:inbox-read-all")
LOGIN = reverse("accounts:login")
DASHBOARD = reverse("matching:workbench")
VERIFIED = "accounts/email/verified"
DIGEST_SUBJECT = (
    "%(counter)s new notification on the AI Project Matching Portal\0"
    "%(counter)s new notifications on the AI Project Matching Portal"
)
ZH = {
    DIGEST_SUBJECT: "人工智能项目对接平台有 %(counter)s 条新通知",
    "%(organisation)s is verified": "%(organisation)s 已通过认证",
}


@pytest.fixture
def zh_digest(settings, tmp_path):
    """Chinese for the digest subject and one notification line, whatever state locale/ is in."""
    messages_dir = tmp_path / "zh_Hans" / "LC_MESSAGES"
    messages_dir.mkdir(parents=True)
    (messages_dir / "django.mo").write_bytes(_mo_bytes(ZH))
    settings.LOCALE_PATHS = [tmp_path]


def notify(user, organisation="西湖智能科技有限公司", url=DASHBOARD) -> Notification:
    notify_users([user.pk], VERIFIED, {"organisation": organisation}, url=url)
    return Notification.objects.filter(user=user).order_by("-id").first()


def open_url(notification) -> str:
    return reverse("accounts:notification-open", args=[notification.public_id])


def is_login_redirect(response, next_url: str) -> bool:
    return response.status_code == 302 and response.url == f"{LOGIN}?next={next_url}"


# --- notify_members ---------------------------------------------------------------------------


def test_notify_members_writes_one_entry_per_active_member_and_emails_only_immediate_users(
    django_capture_on_commit_callbacks, mailoutbox
):
    organisation = EmployerFactory()
    immediate = EmployerUserFactory(employer=organisation, language="en")
    digest = EmployerUserFactory(employer=organisation, email_digest=True)
    EmployerUserFactory(employer=organisation, is_active=False)
    outsider = EmployerUserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notify_members(organisation, VERIFIED, {"organisation": organisation.name}, url=DASHBOARD)

    entries = Notification.objects.all()
    assert sorted(n.user_id for n in entries) == sorted([immediate.pk, digest.pk])
    assert {n.url for n in entries} == {DASHBOARD}
    assert not Notification.objects.filter(user=outsider).exists()
    [email] = mailoutbox
    assert email.to == [immediate.email]
    assert email.subject == f"{organisation.name} is verified"
    assert Notification.objects.get(user=immediate).emailed_at is not None
    assert Notification.objects.get(user=digest).emailed_at is None


def test_notifications_rolled_back_leave_neither_inbox_entries_nor_emails(
    django_capture_on_commit_callbacks, mailoutbox
):
    organisation = EmployerFactory()
    EmployerUserFactory(employer=organisation)
    EmployerUserFactory(employer=organisation, email_digest=True)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_members(organisation, VERIFIED, {"organisation": organisation.name})
        raise RuntimeError("the caller's transaction failed")

    assert callbacks == [] and mailoutbox == []
    assert not Notification.objects.exists()
    tasks.send_notification_digests.delay()
    assert mailoutbox == []


# --- the daily digest -------------------------------------------------------------------------


@pytest.fixture
def digest_users(django_capture_on_commit_callbacks):
    """Two members who take the digest (one reads Chinese, one English) and one who does not,
    each told of two events; the immediate member's emails already went out."""
    organisation = EmployerFactory()
    zh = EmployerUserFactory(employer=organisation, email_digest=True, language="zh-hans")
    en = EmployerUserFactory(employer=organisation, email_digest=True, language="en")
    EmployerUserFactory(employer=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("甲公司", "乙公司"):
            notify_members(organisation, VERIFIED, {"organisation": name}, url=DASHBOARD)
    return zh, en


def test_digest_sends_each_digest_user_one_email_with_all_pending_lines(digest_users, mailoutbox, committing):
    zh, en = digest_users
    mailoutbox.clear()

    with committing():
        assert tasks.send_notification_digests.delay().get() == 2

    emails = {email.to[0]: email for email in mailoutbox}
    assert sorted(emails) == sorted([zh.email, en.email])
    english = emails[en.email]
    assert english.subject == "2 new notifications on the AI Project Matching Portal"
    assert "甲公司 is verified" in english.body and "乙公司 is verified" in english.body
    assert f"{django_settings.PORTAL_URL}{DASHBOARD}" in english.body
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_digest_is_written_in_the_users_language(digest_users, mailoutbox, zh_digest, committing):
    zh, _en = digest_users
    mailoutbox.clear()

    with committing():
        tasks.send_notification_digests.delay()

    [email] = [email for email in mailoutbox if email.to == [zh.email]]
    assert email.subject == "人工智能项目对接平台有 2 条新通知"
    assert "甲公司 已通过认证" in email.body and "乙公司 已通过认证" in email.body


def test_digest_never_sends_a_notification_twice(digest_users, mailoutbox, committing):
    zh, _en = digest_users
    with committing():
        tasks.send_notification_digests.delay()
    mailoutbox.clear()

    with committing():
        assert tasks.send_notification_digests.delay().get() == 0
        tasks.send_digest_email.delay(zh.pk)
    assert mailoutbox == []

    notify(zh, organisation="丙公司")
    with committing():
        tasks.send_notification_digests.delay()
    [email] = mailoutbox
    assert "丙公司" in email.body and "甲公司" not in email.body


def test_a_digest_the_mail_server_refused_is_sent_by_the_outbox_later(
    digest_users, mailoutbox, committing, settings
):
    _zh, en = digest_users
    mailoutbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # refused

    with committing():
        tasks.send_digest_email.delay(en.pk)
    # The lines went into the digest's outbox email in the same transaction: not sent again.
    assert not Notification.objects.filter(user=en, emailed_at__isnull=True).exists()
    [waiting] = OutboundEmail.objects.filter(user=en)
    assert (waiting.status, waiting.attempts) == ("pending", 1) and waiting.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(waiting.due_at + timedelta(seconds=1)):
        assert tasks.send_due_emails.delay().get() == 1
    [email] = mailoutbox
    assert "甲公司 is verified" in email.body


def test_leaving_the_digest_still_sends_what_it_held(digest_users, mailoutbox, committing):
    _zh, en = digest_users
    user_set_digest(actor=en, email_digest=False)
    mailoutbox.clear()

    with committing():
        tasks.send_notification_digests.delay()

    [email] = [email for email in mailoutbox if email.to == [en.email]]
    assert "甲公司 is verified" in email.body
    en.refresh_from_db()
    assert en.email_digest is False


# --- the inbox page ---------------------------------------------------------------------------


def test_inbox_requires_login(client):
    assert is_login_redirect(client.get(INBOX), INBOX)
    assert is_login_redirect(client.post(READ_ALL), READ_ALL)


@pytest.mark.parametrize("persona", ["employer", "other_employer", "university", "ministry"])
def test_inbox_lists_only_the_users_own_notifications(request, client_for, employer, persona):
    user = request.getfixturevalue(persona)
    notify(employer, organisation="雇主甲公司")
    own = notify(user, organisation="本人乙公司")

    response = client_for(user).get(INBOX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "本人乙公司" in html and open_url(own) in html
    assert ("雇主甲公司" in html) == (user == employer)


@pytest.mark.parametrize(
    ("language", "text"), [("en", "甲公司 is verified"), ("zh-hans", "甲公司 已通过认证")]
)
def test_inbox_line_is_the_notification_text_in_the_page_language(
    client_for, employer, zh_digest, language, text
):
    notify(employer, organisation="甲公司")

    html = client_for(employer).get(INBOX, HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert text in html


def test_inbox_shows_newest_first_and_marks_unread(client_for, employer):
    older = notify(employer, organisation="旧公司")
    notify(employer, organisation="新公司")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - timedelta(days=1), read_at=timezone.now()
    )

    html = client_for(employer).get(INBOX).content.decode()

    assert html.index("新公司") < html.index("旧公司")
    rows = re.findall(r'<tr class="notification( unread)?">(.*?)</tr>', html, re.S)
    assert [(bool(unread), "新公司" in row) for unread, row in rows] == [(True, True), (False, False)]


def test_inbox_filters_unread_only(client_for, employer):
    read, unread = notify(employer, organisation="已读公司"), notify(employer, organisation="未读公司")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())

    response = client_for(employer).get(INBOX, {"unread": "1"})

    html = response.content.decode()
    assert "未读公司" in html and "已读公司" not in html
    assert [n for n, _text in response.context["lines"]] == [unread]


def test_inbox_pages_twenty_at_a_time(client_for, employer):
    for i in range(23):
        notify(employer, organisation=f"公司{i}")

    client = client_for(employer)
    first, second = client.get(INBOX), client.get(INBOX, {"page": 2})

    assert len(first.context["lines"]) == 20 and len(second.context["lines"]) == 3
    assert 'class="pagination"' in first.content.decode()


def test_inbox_page_queries_stay_bounded(client_for, employer, django_assert_max_num_queries):
    for i in range(25):
        notify(employer, organisation=f"公司{i}")
    client = client_for(employer)

    # session, user, the user's organisation (base.html), count, page, unread badge
    with django_assert_max_num_queries(6):
        response = client.get(INBOX)

    assert response.status_code == 200 and len(response.context["lines"]) == 20


def test_mark_all_read_marks_only_the_users_own(client_for, employer, other_employer):
    notify(employer), notify(employer)
    others = notify(other_employer)

    response = client_for(employer).post(READ_ALL)

    assert response.status_code == 302 and response.url == INBOX
    assert not Notification.objects.filter(user=employer, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=others.pk).read_at is None
    with translation.override("zh-hans"):  # the page's language, the portal's default
        expected = ngettext(
            "%(count)d notification marked as read.", "%(count)d notifications marked as read.", 2
        ) % {"count": 2}
    assert flashed(response) == [expected]


def test_mark_all_read_only_accepts_post(client_for, employer):
    notify(employer)

    assert client_for(employer).get(READ_ALL).status_code == 405
    assert Notification.objects.get(user=employer).read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, employer):
    notification, other = notify(employer), notify(employer)

    response = client_for(employer).get(open_url(notification))

    assert response.status_code == 302 and response.url == DASHBOARD
    assert Notification.objects.get(pk=notification.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None


@pytest.mark.parametrize("persona", ["other_employer", "university", "ministry"])
def test_opening_another_users_notification_is_not_found(request, client_for, employer, persona):
    notification = notify(employer)

    response = client_for(request.getfixturevalue(persona)).get(open_url(notification))

    assert response.status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_opening_a_notification_requires_login(client, employer):
    url = open_url(notify(employer))

    assert is_login_redirect(client.get(url), url)


@pytest.mark.parametrize("url", ["", "https://evil.example/phish", "//evil.example/"])
def test_notification_without_a_safe_link_opens_the_inbox(client_for, employer, url):
    notification = notify(employer, url=url)

    response = client_for(employer).get(open_url(notification))

    assert response.status_code == 302 and response.url == INBOX


# --- the email preference ---------------------------------------------------------------------


def test_inbox_shows_the_current_email_preference(client_for, employer):
    employer.email_digest = True
    employer.save()

    html = client_for(employer).get(INBOX).content.decode()

    assert re.search(r'<input[^>]*value="daily"[^>]*checked', html)


@pytest.mark.parametrize(("choice", "digest"), [("daily", True), ("each", False)])
def test_email_preference_is_saved(client_for, employer, choice, digest):
    employer.email_digest = not digest
    employer.save()

    response = client_for(employer).post(INBOX, {"email_digest": choice})

    assert response.status_code == 302 and response.url == INBOX
    employer.refresh_from_db()
    assert employer.email_digest is digest


def test_invalid_email_preference_is_refused(client_for, employer):
    response = client_for(employer).post(INBOX, {"email_digest": "weekly"})

    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()
    employer.refresh_from_db()
    assert employer.email_digest is False


def test_email_preference_requires_login(client, employer):
    assert is_login_redirect(client.post(INBOX, {"email_digest": "daily"}), INBOX)


# --- the unread count -------------------------------------------------------------------------


def test_unread_count_is_the_users_own_unread_in_one_query(
    employer, other_employer, django_assert_num_queries
):
    read, _unread, _another = notify(employer), notify(employer), notify(employer)
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    notify(other_employer)
    request = RequestFactory().get("/")
    request.user = employer

    with django_assert_num_queries(1):
        assert inbox(request) == {"unread_notifications": 2}


def test_unread_count_of_an_anonymous_visitor_is_zero(anonymous, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = anonymous

    with django_assert_num_queries(0):
        assert inbox(request) == {"unread_notifications": 0}


def test_unread_count_reaches_the_templates(client_for, employer):
    notify(employer), notify(employer)

    assert client_for(employer).get(INBOX).context["unread_notifications"] == 2


# --- admin ------------------------------------------------------------------------------------


def test_admin_lists_notifications_read_only(admin_client, employer):
    notification = notify(employer, organisation="后台公司")

    listing = admin_client.get(reverse("admin:accounts_notification_changelist"), {"q": "employer"})
    detail = admin_client.get(reverse("admin:accounts_notification_change", args=[notification.pk]))

    assert listing.status_code == 200 and "accounts/email/verified" in listing.content.decode()
    assert detail.status_code == 200 and "后台公司" in detail.content.decode()
    assert admin_client.get(reverse("admin:accounts_notification_add")).status_code == 403
