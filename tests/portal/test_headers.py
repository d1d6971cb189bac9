"""Security headers on pages, the API and the admin; X-Forwarded-Proto believed only behind a
proxy of ours."""

import pytest
from django.test import override_settings

from tests.portal.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/projects/", "/api/v1/focus-areas/", "/admin/login/"])
def test_every_response_turns_off_the_browser_features_the_portal_does_not_use(client, path):
    policy = client.get(path)["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_a_client_s_x_forwarded_proto_is_ignored_unless_behind_our_proxy(rf):
    request = rf.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert not request.is_secure()
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert request.is_secure()


def test_the_proxy_header_is_trusted_only_when_the_setting_says_so():
    show = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    assert manage("shell", "--no-imports", "-c", show, **PRODUCTION).stdout.strip() == "None"
    behind = manage("shell", "--no-imports", "-c", show, BEHIND_TRUSTED_PROXY="True", **PRODUCTION)
    assert behind.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"
