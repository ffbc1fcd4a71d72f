"""Lighthouse's best-practices audits on every kind of page: `make lighthouse`.

Serves the demo registry (a SQLite file of its own, made once) under gunicorn with the
production settings, and runs Lighthouse (npm's `lighthouse`, installed once into
LIGHTHOUSE_HOME; it drives Debian's Chromium) on each kind of page: public ones as a
visitor, the dashboard and the forms as the demo official, the admin as the demo
curator (their sessions are made here and set as cookies in the browser), in Bahasa Indonesia and
some in English (Lighthouse refuses to audit a 404, so the error pages are not among
them). Prints each page's score and every failing audit; exits 1 if any
audit failed. Needs npm and /usr/bin/chromium.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("LIGHTHOUSE_HOME", "/tmp/kopnet-lighthouse"))
LIGHTHOUSE = HOME / "node_modules/.bin/lighthouse"
VERSION = "12"
PORT = int(os.environ.get("LIGHTHOUSE_PORT", "8300"))
DEBUG_PORT = PORT + 1
BASE = f"http://127.0.0.1:{PORT}"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


def log(message):
    print(f"==> {message}", flush=True)


def ensure_lighthouse():
    if not LIGHTHOUSE.exists():
        log(f"installing lighthouse@{VERSION} into {HOME}")
        HOME.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(HOME), f"lighthouse@{VERSION}"], check=True)


def environment(database):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kopnet.settings",
        "DEBUG": "0",
        "SECRET_KEY": "lighthouse-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{database}",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def pages_and_cookies(env):
    """[(label, path, cookie)]: each kind of page with whom it is read as."""
    code = """
import json
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from registry.models import Cooperative, Partner
from partnerships.models import Partnership

def session(username):
    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key

coop = Cooperative.objects.filter(verification="verified").order_by("-member_count").first()
own = Cooperative.objects.filter(representations__user__username="pengurus1").first()
print(json.dumps({
    "coop": coop.slug, "coop_pk": coop.pk, "own": own.slug,
    "partnership": Partnership.objects.filter(verification="verified").first().reference,
    "partner": Partner.objects.filter(verification="verified").first().slug,
    "official": session("pengurus1"), "curator": session("kurator"),
}))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    official, curator = f"sessionid={data['official']}", f"sessionid={data['curator']}"
    return [
        ("home", "/", ""),
        ("cooperatives", "/koperasi/", ""),
        ("cooperatives searched", "/koperasi/?q=tani", ""),
        ("cooperative", f"/koperasi/{data['coop']}/", ""),
        ("partnerships", "/kerjasama/", ""),
        ("partnership", f"/kerjasama/{data['partnership']}/", ""),
        ("partners", "/mitra/", ""),
        ("partner", f"/mitra/{data['partner']}/", ""),
        ("statistics", "/statistik/", ""),
        ("sign in", "/akun/masuk/", ""),
        ("sign up", "/akun/daftar/", ""),
        ("password reset", "/akun/sandi/reset/", ""),
        ("home (en)", "/", "django_language=en"),
        ("cooperative (en)", f"/koperasi/{data['coop']}/", "django_language=en"),
        ("dashboard", "/akun/", official),
        ("register a partnership", "/kerjasama/baru/", official),
        ("edit a cooperative", f"/koperasi/{data['own']}/ubah/", official),
        ("represent a cooperative", "/akun/wakili/", official),
        ("propose joining a federation", f"/koperasi/{data['own']}/gabung/", official),
        ("cooperative as on a day", f"/koperasi/{data['coop']}/?as_of=2020-01-01", ""),
        ("partnerships active on a day", "/kerjasama/?active_on=2020-01-01", ""),
        ("cooperatives of a regency", "/koperasi/?province=32&regency=32.05", ""),
        ("a province by regency", "/statistik/wilayah/?province=32", ""),
        ("register a cooperative", "/koperasi/baru/", official),
        ("admin", "/admin/", curator),
        ("admin changelist", "/admin/registry/cooperative/", curator),
        ("admin change form", f"/admin/registry/cooperative/{data['coop_pk']}/change/", curator),
        ("admin import", "/admin/registry/cooperative/import/", curator),
        ("admin history", f"/admin/registry/cooperative/{data['coop_pk']}/history/", curator),
    ]


class Chromium:
    """Debian's Chromium with a debugging port, its cookies set through Playwright:
    Lighthouse connects to it (--port) and keeps its storage. A Cookie in Lighthouse's
    --extra-headers reached the page but not its scripts (the admin's /admin/jsi18n/
    was then a redirect to the sign-in page)."""

    def __init__(self, workdir):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.context = self.playwright.chromium.launch_persistent_context(
            str(workdir / "profile"),
            executable_path=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
            headless=True,
            args=[f"--remote-debugging-port={DEBUG_PORT}", *CHROME_FLAGS.split()[1:]],
        )

    def cookies(self, cookie):
        self.context.clear_cookies()
        pairs = [part.split("=", 1) for part in cookie.split("; ") if part]
        if pairs:
            self.context.add_cookies([{"name": n, "value": v, "url": BASE} for n, v in pairs])

    def close(self):
        self.context.close()
        self.playwright.stop()


def audit(chromium, path, cookie, workdir):
    report = workdir / "report.json"
    chromium.cookies(cookie)
    command = [
        str(LIGHTHOUSE), BASE + path, "--only-categories=best-practices", "--output=json",
        f"--output-path={report}", "--quiet", f"--port={DEBUG_PORT}", "--disable-storage-reset",
    ]  # fmt: skip
    subprocess.run(command, check=True)
    result = json.loads(report.read_text())
    category = result["categories"]["best-practices"]
    failing = []
    for ref in category["auditRefs"]:
        found = result["audits"][ref["id"]]
        if found["score"] is not None and found["score"] < 1:
            items = (found.get("details") or {}).get("items") or []
            detail = "; ".join(str(item.get("description") or item.get("url") or item)[:160] for item in items[:3])
            failing.append(f"{ref['id']}: {found['title']}" + (f" ({detail})" if detail else ""))
    return category["score"], failing, result["finalDisplayedUrl"]


def main():
    ensure_lighthouse()
    database = HOME / "demo.sqlite3"
    env = environment(database)
    seeded = database.exists()
    # Migrated every time: a demo database kept from an older checkout lacks new tables.
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "loadplaces")  # as make run: the places, then the demo's regencies coded
    if not seeded:
        log("the demo registry, once")
        manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    pages = pages_and_cookies(env)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "kopnet.wsgi", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "2", "--no-control-socket", "--error-logfile", str(HOME / "gunicorn.log")],
        cwd=ROOT, env=env, stderr=open(HOME / "django.log", "w"),
    )  # fmt: skip
    failures = 0
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        with tempfile.TemporaryDirectory() as workdir:
            chromium = Chromium(Path(workdir))
            try:
                results = [(label, path, *audit(chromium, path, cookie, Path(workdir))) for label, path, cookie in pages]
            finally:
                chromium.close()
            for label, path, score, failing, final in results:
                if final.rstrip("/") != (BASE + path).rstrip("/"):
                    failing.append(f"redirected to {final}: not the page meant (a signed-in page without its session?)")
                print(f"{score:5.2f}  {label:28} {path}", flush=True)
                for line in failing:
                    print(f"       FAIL {line}", flush=True)
                failures += len(failing)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{len(pages)} pages, {failures} failing audits")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
