"""Security headers on pages, the API and the admin; X-Forwarded-Proto believed only behind a
proxy of ours."""

import re

import pytest
from django.conf import settings
from django.test import override_settings

from tests.portal.test_settings import PRODUCTION, manage

pytestmark = pytest.mark.django_db

TEMPLATES = settings.BASE_DIR / "templates"


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


@pytest.mark.parametrize("path", ["/", "/projects/", "/api/v1/focus-areas/", "/admin/login/", "/api/docs/"])
def test_every_response_carries_a_content_security_policy_without_unsafe_inline(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy


def test_no_template_of_ours_needs_an_inline_script_or_style():
    """What the policy would block: inline scripts, style elements and style attributes (the
    bars are SVG, whose width is an attribute, not a style)."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\bstyle=\"|\bon[a-z]+=\"")
    offending = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert offending == []


def test_the_api_docs_load_their_script_from_a_url_of_their_own(client):
    page = client.get("/api/docs/").content.decode()
    assert "/api/docs/?script" in page
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
