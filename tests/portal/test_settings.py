"""Production settings refuse to start half-configured and pass Django's deployment check."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DEBUG": "False",
    "ALLOWED_HOSTS": "ai-match.example.cn",
    "SECRET_KEY": "a-long-random-production-secret-key-9f8e7d6c5b4a3928171605f4e3d2c1b0",
}


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", DEBUG="False", ALLOWED_HOSTS="ai-match.example.cn")
    assert result.returncode != 0
    assert "SECRET_KEY and ALLOWED_HOSTS must be set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = manage("check", DEBUG="False", SECRET_KEY=PRODUCTION["SECRET_KEY"])
    assert result.returncode != 0
    assert "SECRET_KEY and ALLOWED_HOSTS must be set" in result.stderr


def test_production_values_pass_the_deployment_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr


def test_development_defaults_fail_the_deployment_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="True")
    assert result.returncode != 0


def test_email_url_sets_the_mail_server_settings():
    script = (
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, "
        "s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    )
    result = manage(
        "shell", "--no-imports", "-c", script, EMAIL_URL="smtp+tls://notice:pa55@smtp.example.cn:587"
    )
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.cn",
        "587",
        "notice",
        "pa55",
        "True",
        "False",
    ], result.stderr
    result = manage("shell", "--no-imports", "-c", script)
    assert result.stdout.split()[:3] == [
        "django.core.mail.backends.console.EmailBackend",
        "localhost",
        "25",
    ], result.stderr
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)",
        EMAIL_URL="filemail:////srv/portal/outgoing",
    )
    assert result.stdout.split() == [
        "django.core.mail.backends.filebased.EmailBackend",
        "/srv/portal/outgoing",
    ], result.stderr
