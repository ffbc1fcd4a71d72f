"""Project-wide behaviour: health check, settings from the environment, deploy checks."""

import os
import subprocess
import sys
from unittest import mock

from django.conf import settings
from django.db import OperationalError

ROOT = settings.BASE_DIR


def test_healthz_answers_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_does_not(client, db):
    with mock.patch("kopnet.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert len(response.content) < 100


def run_django(code, **env):
    """Run Python with a clean environment plus `env`, as a deployment would start."""
    environment = {key: value for key, value in os.environ.items() if key not in {
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CSRF_TRUSTED_ORIGINS", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="kopnet.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_secret_key_is_required_when_debug_is_off():
    result = run_django("import django; django.setup()", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_must_be_a_boolean():
    result = run_django("import django; django.setup()", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_settings_come_from_the_environment():
    result = run_django(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.DATABASES['default']['ENGINE'], "
        "s.DATABASES['default']['CONN_MAX_AGE'], s.EMAIL_DELIVERY_BACKEND)",
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="kopnet.example.org,www.kopnet.example.org",
        CSRF_TRUSTED_ORIGINS="https://kopnet.example.org",
        DATABASE_URL="postgres://kopnet:secret@db.example.org:5432/kopnet",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "['kopnet.example.org',",
        "'www.kopnet.example.org']",
        "['https://kopnet.example.org']",
        "django.db.backends.postgresql",
        "600",
        "django.core.mail.backends.console.EmailBackend",
    ]


def test_sqlite_file_is_the_default_database():
    result = run_django(
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(ROOT / "db.sqlite3")]


def check_deploy(**environment):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            # The browser tests allow Django's async-unsafe calls in this process;
            # a deployment never does, and check --deploy says so.
            **{
                key: value
                for key, value in os.environ.items()
                if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_BACKEND", "KOPNET_ADMIN_2FA")
            },
            "DEBUG": "0",
            "KOPNET_ADMIN_2FA": "1",
            "SECRET_KEY": "a-long-random-production-secret-key-" + "z" * 40,
            "ALLOWED_HOSTS": "kopnet.example.org",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_the_console_mail_backend_unless_it_was_chosen():
    """The default backend printed password-reset links to the log and sent nothing."""
    inherited = check_deploy()
    assert inherited.returncode != 0
    assert "kopnet.W001" in inherited.stderr + inherited.stdout
    chosen = check_deploy(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend")
    assert chosen.returncode == 0, chosen.stdout + chosen.stderr


def test_no_template_comment_spans_lines():
    """Django's {# ... #} comment is one line: one that spans lines is printed on the
    page as text (home showed one). Longer comments use {% comment %}."""
    broken = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if "{#" in line and "#}" not in line.split("{#", 1)[1]:
                broken.append(f"{template.relative_to(ROOT)}:{number}")
    assert not broken
