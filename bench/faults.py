"""KopNet through nginx while things go wrong: `make faults` (bench/faults.sh sets up
nginx and a PostgreSQL cluster with production durability, then runs this).

Three runs of FAULTS_DURATION seconds (60) at FAULTS_CONNECTIONS connections (32)
through nginx serving deploy/nginx/kopnet-common.conf (the deployment's own file, its
paths and upstream replaced) in front of gunicorn's sync workers:

    plain     the mix alone
    restart   PostgreSQL crashes (stop -m immediate: no shutdown checkpoint) a third
              into the run and starts again at once
    slow      FAULTS_SLOW clients (100), from another address, hold connections open:
              half send a request's headers a byte every 2 s, half a body

Each connection is a person doing, in turn by weight: reading public pages (lists,
profiles, statistics), signing in (the sign-in form, then the dashboard), registering
a cooperative (the registration form as a browser sends it), confirming a party of a
partnership (the dashboard's confirm form) and, as a curator, verifying a cooperative
registered in the run (the admin's action and its confirmation page). A person
thinks between actions (FAULTS_THINK_S, 1 s on average): 32 people then ask for some
36 requests a second, a busy hour at about half of what the 5 workers serve. The
official's and the curator's sessions are signed in before the runs, and every page
the readers read is asked once before each run: a busy hour's cache is warm.
(FAULTS_THINK_S=0 saturates the workers instead: every request then waits behind the
others, and its time says how many connections there are, not how fast KopNet is.)

Every write acknowledged (the redirect its form answers with) is looked up in the
database afterwards: lost writes are acknowledged ones missing there. Targets: no
error and no lost write in every run but the crash, where every 5xx comes while the
database is down or within 5 s after it is back; with the slow clients, the readers'
p99 within the public pages' limit (100 ms) and not worse than 1.5x the plain run's.
"""

import collections
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_PORT = int(os.environ.get("FAULTS_NGINX_PORT", "8180"))
APP_PORT = int(os.environ.get("FAULTS_APP_PORT", "8101"))
HOST = "127.0.0.1"
# The slow clients' own address: nginx limits connections per address, and they are
# not the people whose service is measured.
SLOW_SOURCE = "127.0.0.2"
OFFICIAL = "faults-official"
CURATOR = "kurator"
PASSWORD = "kopnet-demo"
OFFICIAL_COOPERATIVES = 30
PENDING_PARTIES = int(os.environ.get("FAULTS_PENDING_PARTIES", "1500"))
# A busy hour: mostly reading, a write in every six requests, a sign-in in fifty (each
# costs PBKDF2's 1,000,000 iterations, about 0.4 s of a worker here).
WEIGHTS = {"read": 82, "sign_in": 2, "register": 6, "confirm": 5, "verify": 5}
READ_P99_LIMIT_MS = 100
# A person's pause between actions, on average: 32 people acting about once a second is
# a busy hour for a registry, about half of what the 5 workers here can serve. Without
# a pause (FAULTS_THINK_S=0) every connection asks again at once: the workers are
# saturated and every request waits in their queue (latency = connections / rate).
THINK_S = float(os.environ.get("FAULTS_THINK_S", "1.0"))
WORKERS = int(os.environ.get("FAULTS_WORKERS", "5"))
BACK_GRACE_S = 5
SLOW_BYTE_EVERY_S = 2


def log(message):
    print(f"==> {message}", flush=True)


# --- a browser: cookies, forms, one keep-alive connection ---------------------------


class Forms(HTMLParser):
    """Every form of a page: its action and the fields a browser would send (a
    select's selected option, checked boxes, the first named submit button)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.select, self.textarea, self.option_seen = [], None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": [], "boxes": [], "submitted": False})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "checkbox":
                self.forms[-1]["boxes"].append((a["name"], a.get("value", "on")))
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind == "submit":
                if self.forms[-1]["submitted"]:
                    return
                self.forms[-1]["submitted"] = True
            if kind != "file":
                fields.append([a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "button" and a.get("name") and not self.forms[-1]["submitted"]:
            self.forms[-1]["submitted"] = True
            fields.append([a["name"], a.get("value", "")])
        elif tag == "select" and a.get("name"):
            self.select = [a["name"], None, False]
            fields.append(self.select)
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.select[1] is None or ("selected" in a and not self.select[2]):
                self.select[1], self.select[2] = value, "selected" in a
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
            fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_of(html):
    parser = Forms()
    parser.feed(html)
    return [
        {"action": f["action"], "fields": [(n, v or "") for n, v, *_ in f["fields"]], "boxes": f["boxes"]}
        for f in parser.forms
    ]


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Browser:
    def __init__(self, record, cookies=None):
        self.cookies, self.record, self.connection = dict(cookies or {}), record, None

    def request(self, kind, method, path, fields=None):
        body, headers = None, {"Host": HOST, "Accept-Language": "id"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{NGINX_PORT}{path}"
        started = time.monotonic()
        for attempt in (1, 2):
            reused = self.connection is not None
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(HOST, NGINX_PORT, timeout=30)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                answer = Answer(response.status, response.headers, response.read())
                if response.will_close:
                    self.close()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
                self.close()
                # A kept-alive connection that nginx closed while it was idle
                # (keepalive_timeout): the request never reached it, and a browser
                # sends it again on a new connection. Once, and only then.
                if reused and attempt == 1:
                    continue
                self.record(kind, started, None, f"{type(error).__name__}: {error}")
                return None
            except (OSError, http.client.HTTPException) as error:
                self.close()
                self.record(kind, started, None, f"{type(error).__name__}: {error}")
                return None
        for value in answer.headers.get_all("Set-Cookie") or ():
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.record(kind, started, answer.status, None)
        return answer

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def form(self, kind, path, pick=lambda form: True):
        """The page's first form that `pick` accepts, as a list of fields (None: no page)."""
        page = self.request(kind, "GET", path)
        if page is None or page.status != 200:
            return None, None
        for form in forms_of(page.text):
            if pick(form):
                return form, page
        return None, page

    def sign_in(self, kind, username):
        self.cookies.clear()
        form, _page = self.form(kind, "/akun/masuk/", lambda f: any(n == "password" for n, _ in f["fields"]))
        if form is None:
            return False
        fields = [(n, v) for n, v in form["fields"] if n not in ("username", "password")]
        fields += [("username", username), ("password", PASSWORD)]
        answer = self.request(kind, "POST", "/akun/masuk/", fields)
        return answer is not None and answer.status == 302


# --- the people --------------------------------------------------------------------


class Shared:
    """What the people share: work to do, writes acknowledged, every request's outcome."""

    def __init__(self, reads, pending_parties, registration_values):
        self.reads = reads
        self.pending_parties = collections.deque(pending_parties)
        self.registration_values = registration_values
        self.to_verify = collections.deque()
        self.acknowledged = {"register": [], "confirm": [], "verify": []}
        self.requests = []  # (kind, started, seconds, status or None, error)
        self.lock = threading.Lock()
        self.numbers = iter(range(1, 10**9))
        self.run = f"{os.getpid()}-{int(time.time())}"

    def record(self, kind, started, status, error):
        with self.lock:
            self.requests.append((kind, started, time.monotonic() - started, status, error))


def person(shared, number, deadline, sessions):
    """One person: reads signed out as the public does, writes as the official or the
    curator in the sessions they signed into before the run (people stay signed in
    for the hour; the sign-ins of the mix are the visitors' new ones), and thinks
    between actions (THINK_S on average, exponentially distributed)."""
    rng = random.Random(number)
    visitor = Browser(shared.record)
    official, curator = (Browser(shared.record, cookies) for cookies in sessions)
    signed = {"official": bool(official.cookies), "curator": bool(curator.cookies)}
    kinds, weights = zip(*WEIGHTS.items())
    while time.monotonic() < deadline:
        if THINK_S:
            time.sleep(min(rng.expovariate(1 / THINK_S), max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                break
        kind = rng.choices(kinds, weights)[0]
        if kind == "read":
            visitor.request("read", "GET", rng.choice(shared.reads))
        elif kind == "sign_in":
            visitor = Browser(shared.record)
            if visitor.sign_in("sign_in", OFFICIAL):
                visitor.request("sign_in", "GET", "/akun/")
            visitor.close()
        else:
            browser, who = (curator, "curator") if kind == "verify" else (official, "official")
            if not signed[who]:
                signed[who] = browser.sign_in("sign_in", CURATOR if who == "curator" else OFFICIAL)
                continue
            WRITES[kind](shared, browser, rng)


def register(shared, browser, rng):
    with shared.lock:
        name = f"Koperasi Uji Gangguan {shared.run} {next(shared.numbers)}"
    form, _page = browser.form("register", "/koperasi/baru/", lambda f: any(n == "name" for n, _ in f["fields"]))
    if form is None:
        return
    values = dict(shared.registration_values, name=name)
    fields = [(n, v) for n, v in form["fields"] if n not in values and n != "sectors"]
    fields += [(n, v) for n, v in values.items() if n != "sectors"] + [("sectors", s) for s in values["sectors"]]
    answer = browser.request("register", "POST", "/koperasi/baru/", fields)
    if answer is not None and answer.status == 302:
        with shared.lock:
            shared.acknowledged["register"].append(name)
            shared.to_verify.append(name)


def confirm(shared, browser, rng):
    with shared.lock:
        if not shared.pending_parties:
            return
        party, version = shared.pending_parties.popleft()
    csrf = browser.cookies.get("csrftoken", "")
    fields = [("csrfmiddlewaretoken", csrf), ("version", str(version))]
    answer = browser.request("confirm", "POST", f"/kerjasama/pihak/{party}/konfirmasi/", fields)
    if answer is not None and answer.status == 302:
        with shared.lock:
            shared.acknowledged["confirm"].append(party)


def verify(shared, browser, rng):
    with shared.lock:
        if not shared.to_verify:
            return
        name = shared.to_verify.popleft()
    path = "/admin/registry/cooperative/?" + urllib.parse.urlencode({"q": name})
    form, page = browser.form("verify", path, lambda f: any(n == "_selected_action" for n, _ in f["boxes"]))
    if form is None:
        if page is not None and page.status == 200:  # not found: its registration's answer was lost
            return
        with shared.lock:
            shared.to_verify.append(name)
        return
    # The row's checkbox ticked, the action chosen, as a curator does.
    fields = [(n, v) for n, v in form["fields"] if n not in ("action", "index")]
    fields += [(n, v) for n, v in form["boxes"] if n == "_selected_action"]
    fields += [("action", "verify_selected"), ("index", "0")]
    shown = browser.request("verify", "POST", "/admin/registry/cooperative/", fields)
    if shown is None or shown.status != 200:
        return
    confirmation = [f for f in forms_of(shown.text) if any(n == "apply" for n, _ in f["fields"])]
    if not confirmation:
        return
    answer = browser.request("verify", "POST", "/admin/registry/cooperative/", confirmation[0]["fields"])
    if answer is not None and answer.status == 302:
        with shared.lock:
            shared.acknowledged["verify"].append(name)


# The writes a person makes, by the name WEIGHTS gives them.
WRITES = {"register": register, "confirm": confirm, "verify": verify}


# --- slow clients ------------------------------------------------------------------


def slow_client(number, deadline, held):
    """Holds a connection open, sending a byte every SLOW_BYTE_EVERY_S; opens another
    when nginx closes it (headers have 10 s in all)."""
    head = f"GET /koperasi/ HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: {'x' * 2000}\r\n\r\n".encode()
    body_head = (
        f"POST /akun/masuk/ HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 100000\r\n\r\n"
    ).encode()
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, NGINX_PORT), timeout=5, source_address=(SLOW_SOURCE, 0)) as conn:
                held[number] = 1
                if number % 2:
                    conn.sendall(body_head)
                    payload = b"a" * 100000
                else:
                    payload = head
                for i in range(len(payload)):
                    if time.monotonic() >= deadline:
                        break
                    conn.sendall(payload[i : i + 1])
                    time.sleep(SLOW_BYTE_EVERY_S)
        except OSError:
            time.sleep(0.5)
        finally:
            held[number] = 0


# --- PostgreSQL's crash ------------------------------------------------------------


def crash_and_restart(cluster, events, at):
    time.sleep(max(0.0, at - time.monotonic()))
    version, name = cluster.split()
    events["down"] = time.monotonic()
    subprocess.run(["pg_ctlcluster", version, name, "stop", "-m", "immediate"], check=True)
    subprocess.run(["pg_ctlcluster", version, name, "start"], check=True)
    while subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", events["port"]]).returncode != 0:
        time.sleep(0.1)
    events["back"] = time.monotonic()


# --- a run ---------------------------------------------------------------------------


def signed_in_sessions(connections):
    """Each person's official and curator session cookies, signed in once before the
    runs (not measured): sessions last the hour, as people's do."""
    sessions = []
    for _ in range(connections):
        pair = []
        for username in (OFFICIAL, CURATOR):
            browser = Browser(lambda *args: None)
            if not browser.sign_in("warm-up", username):
                raise SystemExit(f"faults: {username} could not sign in before the runs")
            browser.close()
            pair.append(dict(browser.cookies))
        sessions.append(pair)
    return sessions


def warm_up(urls, threads=4):
    """Every page the readers read, asked once before the run (not measured): a
    registry's page cache is warm in a busy hour, and the previous run's clean-up
    (deleting its cooperatives) left every page to be drawn again."""
    chunks = [urls[i::threads] for i in range(threads)]

    def read(chunk):
        browser = Browser(lambda *args: None)
        for url in chunk:
            browser.request("warm-up", "GET", url)
        browser.close()

    workers = [threading.Thread(target=read, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def one_run(name, setup, duration, connections, slow=0, cluster=None):
    shared = Shared(setup["reads"], setup.pop_parties(), setup["registration_values"])
    warm_up(setup["reads"])
    started = time.monotonic()
    deadline = started + duration
    sessions = setup["sessions"]
    threads = [threading.Thread(target=person, args=(shared, i, deadline, sessions[i])) for i in range(connections)]
    held = {}
    threads += [threading.Thread(target=slow_client, args=(i, deadline, held), daemon=True) for i in range(slow)]
    events = {"port": str(setup["db_port"])}
    if cluster:
        threads.append(threading.Thread(target=crash_and_restart, args=(cluster, events, started + duration / 3)))
    for thread in threads:
        thread.start()
    held_seen = []
    while time.monotonic() < deadline:
        time.sleep(1)
        held_seen.append(sum(held.values()))
    for thread in threads:
        thread.join(timeout=60)
    lost = setup.lost(shared.acknowledged)
    return summarise(name, shared, started, duration, events, lost, held_seen)


def summarise(name, shared, started, duration, events, lost, held_seen):
    by_kind = collections.defaultdict(lambda: {"requests": 0, "errors": 0})
    errors, after_back, examples, after_back_statuses = 0, 0, [], collections.Counter()
    back = events.get("back")
    for kind, began, seconds, status, error in shared.requests:
        by_kind[kind]["requests"] += 1
        bad = status is None or status >= 500 or status in (400, 403, 404, 429)
        if bad:
            by_kind[kind]["errors"] += 1
            errors += 1
            if len(examples) < 5:
                examples.append(f"{kind} {status} {error or ''}".strip())
            if back is not None and began >= back + BACK_GRACE_S:
                after_back += 1
                after_back_statuses[f"{kind} {status or error}"[:80]] += 1
    reads = sorted(s * 1000 for k, _b, s, status, _e in shared.requests if k == "read" and status == 200)
    for kind, counts in by_kind.items():
        times = sorted(s * 1000 for k, _b, s, _status, _e in shared.requests if k == kind)
        counts["p50_ms"] = round(statistics.median(times), 1)
        counts["p99_ms"] = round(times[max(0, int(len(times) * 0.99) - 1)], 1)
    return {
        "run": name,
        "seconds": duration,
        "requests": len(shared.requests),
        "per_second": round(len(shared.requests) / duration, 1),
        "errors": errors,
        "error_examples": examples,
        "by_kind": dict(by_kind),
        "read_p50_ms": round(statistics.median(reads), 1) if reads else None,
        "read_p99_ms": round(reads[int(len(reads) * 0.99) - 1], 1) if reads else None,
        "acknowledged": {kind: len(values) for kind, values in shared.acknowledged.items()},
        "lost": lost,
        "database_down_s": round(back - events["down"], 1) if back else None,
        "crash_at_s": round(events["down"] - started, 1) if back else None,
        "errors_after_back": after_back if back else None,
        "errors_after_back_by_kind": dict(after_back_statuses),
        "slow_clients_held": round(statistics.mean(held_seen), 1) if held_seen else 0,
    }


# --- setup: the people's accounts, the work they find, the pages they read ------------


class Setup(dict):
    def __init__(self):
        super().__init__()
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.db import connection

        from bench.scale import ensure_curator
        from kopnet.models import Verification, VerifiedEmail
        from registry.models import Cooperative, CooperativeType, Representation, RepresentationState, Scope, Tier

        rng = random.Random(11)
        curator = ensure_curator()
        curator.password = make_password(PASSWORD)
        curator.save(update_fields=["password"])
        official, _created = get_user_model().objects.get_or_create(username=OFFICIAL)
        official.password = make_password(PASSWORD)
        official.save(update_fields=["password"])
        VerifiedEmail.mark(official)  # registering a cooperative asks for a proven address
        verified = Cooperative.objects.filter(verification=Verification.VERIFIED, tier=Tier.PRIMER)
        ids = list(verified.order_by("pk").values_list("pk", flat=True)[:5000])
        self.mine = rng.sample(ids, OFFICIAL_COOPERATIVES)
        Representation.objects.filter(user=official).delete()
        Representation.objects.bulk_create(
            Representation(user=official, cooperative_id=pk, state=RepresentationState.APPROVED) for pk in self.mine
        )
        template = Cooperative.objects.get(pk=self.mine[0])
        self["registration_values"] = {
            "tier": Tier.PRIMER, "type": CooperativeType.SERBA_USAHA, "scope": Scope.KABUPATEN_KOTA,
            "country": "ID", "province": template.province_id or "31", "individual_members": "25",
            "status": template.status, "sectors": [str(s) for s in template.sectors.values_list("pk", flat=True)],
        }  # fmt: skip
        self["reads"] = self.read_urls(rng)
        self["db_port"] = connection.settings_dict["PORT"] or 5432
        self.official = official
        self.parties = collections.deque(self.make_pending_parties(official, rng))

    def read_urls(self, rng):
        from partnerships.models import Partnership
        from registry.models import Cooperative, Partner

        coops = list(Cooperative.objects.filter(verification="verified").values_list("slug", flat=True)[:3000])
        partnerships = list(Partnership.objects.filter(verification="verified").values_list("reference", flat=True)[:3000])
        partners = list(Partner.objects.filter(verification="verified").values_list("slug", flat=True)[:1000])
        urls = ["/", "/koperasi/", "/kerjasama/", "/mitra/", "/statistik/", "/koperasi/?page=3", "/koperasi/?tier=primer"]
        urls += [f"/koperasi/{slug}/" for slug in rng.sample(coops, min(200, len(coops)))]
        urls += [f"/kerjasama/{ref}/" for ref in rng.sample(partnerships, min(200, len(partnerships)))]
        urls += [f"/mitra/{slug}/" for slug in rng.sample(partners, min(50, len(partners)))]
        return urls

    def make_pending_parties(self, official, rng):
        """Partnerships between two of the official's cooperatives, registered through the
        service: each leaves the other cooperative's party waiting for its answer."""
        from django.utils import timezone

        from partnerships.models import Direction, Partnership, PartnershipParty, PartyRole
        from partnerships.services import partnership_register

        started = time.monotonic()
        made = []
        for number in range(PENDING_PARTIES):
            initiator, other = rng.sample(self.mine, 2)
            partnership = partnership_register(
                user=official,
                partnership=Partnership(
                    title=f"Kerjasama uji gangguan {number}", start_date=timezone.localdate(),
                    direction=Direction.HORIZONTAL, initiator_id=initiator,
                ),  # fmt: skip
                parties=[
                    PartnershipParty(cooperative_id=initiator, role=PartyRole.MEMBER),
                    PartnershipParty(cooperative_id=other, role=PartyRole.MEMBER),
                ],
            )
            party = partnership.parties.get(cooperative_id=other)
            made.append((party.pk, partnership.version))
        log(f"{len(made)} partnerships waiting for a party's answer, in {time.monotonic() - started:.0f} s")
        return made

    def pop_parties(self):
        count = len(self.parties) // 3 or len(self.parties)
        return [self.parties.popleft() for _ in range(min(count, len(self.parties)))]

    def lost(self, acknowledged):
        """Acknowledged writes that the database does not hold."""
        from django.db import close_old_connections

        from kopnet.models import Verification
        from partnerships.models import PartnershipParty
        from registry.models import Cooperative

        close_old_connections()
        names = set(acknowledged["register"])
        found = set(Cooperative.objects.filter(name__in=names).values_list("name", flat=True))
        confirmed = PartnershipParty.objects.filter(pk__in=acknowledged["confirm"], confirmation="confirmed").count()
        verified = Cooperative.objects.filter(name__in=acknowledged["verify"], verification=Verification.VERIFIED)
        return {
            "register": len(names - found),
            "confirm": len(acknowledged["confirm"]) - confirmed,
            "verify": len(acknowledged["verify"]) - verified.count(),
        }

    def clean_up(self):
        from django.db import transaction

        from kopnet.models import Revision
        from partnerships.models import Partnership
        from registry.models import Cooperative, Representation

        with transaction.atomic():
            Partnership.objects.filter(created_by=self.official).delete()
            Revision.objects.filter(proposed_by=self.official).delete()
            Representation.objects.filter(cooperative__name__startswith="Koperasi Uji Gangguan").delete()
            Representation.objects.filter(user=self.official).delete()
            Cooperative.objects.filter(name__startswith="Koperasi Uji Gangguan").delete()


# --- nginx and gunicorn --------------------------------------------------------------


def nginx_config(workdir):
    """A main configuration serving deploy/nginx/kopnet-common.conf on NGINX_PORT."""
    common = (ROOT / "deploy/nginx/kopnet-common.conf").read_text()
    common = common.replace("/srv/kopnet/", f"{ROOT}/")
    (workdir / "kopnet-common.conf").write_text(common)
    zone = re.search(r"^limit_conn_zone .*$", (ROOT / "deploy/nginx/kopnet.conf").read_text(), re.M).group(0)
    (workdir / "nginx.conf").write_text(
        f"""worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    {zone}
    upstream kopnet_app {{ server {HOST}:{APP_PORT}; }}
    server {{
        listen {HOST}:{NGINX_PORT};
        include {workdir}/kopnet-common.conf;
    }}
}}
"""
    )
    return workdir / "nginx.conf"


def start_servers(workdir, env):
    config = nginx_config(workdir)
    subprocess.run(["nginx", "-t", "-q", "-c", str(config)], check=True)
    nginx = subprocess.Popen(["nginx", "-c", str(config), "-g", "daemon off;"])
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"), "kopnet.wsgi:application",
            "--bind", f"{HOST}:{APP_PORT}", "--workers", str(WORKERS),
            "--timeout", "30", "--error-logfile", str(workdir / "gunicorn.log"), "--no-control-socket",
            # Each request's path, status and time in the app (microseconds), to see where it goes.
            "--access-logfile", str(workdir / "access.log"), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s",
        ],  # fmt: skip
        cwd=ROOT,
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, NGINX_PORT, timeout=2)
            connection.request("GET", "/healthz", headers={"Host": HOST})
            if connection.getresponse().status == 200:
                return nginx, gunicorn
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"faults: /healthz through nginx did not answer 200:\n{(workdir / 'gunicorn.log').read_text()[-2000:]}")


def main():
    duration = float(os.environ.get("FAULTS_DURATION", "60"))
    connections = int(os.environ.get("FAULTS_CONNECTIONS", "32"))
    slow = int(os.environ.get("FAULTS_SLOW", "100"))
    cluster = os.environ["FAULTS_PG_CLUSTER"]  # "15 kopnetfaults": pg_ctlcluster's version and name
    env = {
        "DJANGO_SETTINGS_MODULE": "kopnet.settings",
        "DEBUG": "0",
        "SECRET_KEY": "faults-" + "x" * 50,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": os.environ["FAULTS_DATABASE_URL"],
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "KOPNET_TRUSTED_PROXIES": "1",
    }
    os.environ.update(env)
    import django

    django.setup()
    workdir = Path(os.environ.get("FAULTS_WORKDIR", "/tmp/kopnet-faults"))
    (workdir / "body").mkdir(parents=True, exist_ok=True)
    setup = Setup()
    nginx, gunicorn = start_servers(workdir, env)
    results = []
    try:
        setup["sessions"] = signed_in_sessions(connections)
        for name, kwargs in (("plain", {}), ("restart", {"cluster": cluster}), ("slow", {"slow": slow})):
            log(f"{name}: {duration:.0f} s at {connections} connections" + (f", {slow} slow clients" if kwargs.get("slow") else ""))
            result = one_run(name, setup, duration, connections, **kwargs)
            results.append(result)
            log(json.dumps(result))
    finally:
        for process in (gunicorn, nginx):
            process.terminate()
            process.wait(timeout=30)
        from django.db import close_old_connections

        close_old_connections()
        setup.clean_up()
    verdict = judge(results)
    machine = describe_machine()
    (ROOT / "bench" / "faults.json").write_text(
        json.dumps({"machine": machine, "results": results, "targets": verdict}, indent=1) + "\n"
    )
    (ROOT / "bench" / "FAULTS.md").write_text(report(machine, results, verdict, duration, connections, slow))
    from bench.report import update_faults_section

    update_faults_section(ROOT / "bench" / "RESULTS.md")
    for line in verdict:
        print(f"{'PASS' if line['pass'] else 'FAIL'}  {line['target']}: {line['measured']}")
    return 0 if all(line["pass"] for line in verdict) else 1


def describe_machine():
    from django.db import connection

    from bench.machine import describe

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT string_agg(name || '=' || setting, ', ') FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers')")
        durability = cursor.fetchone()[0]
    machine = describe(f"PostgreSQL {version}", durability)
    machine["nginx"] = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    machine.pop("wrk", None)
    return machine


def report(machine, results, verdict, duration, connections, slow):
    """bench/FAULTS.md: the machine, each run's figures and the targets."""
    lines = [
        "# KopNet through nginx while things go wrong",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `make faults` (bench/faults.py), "
        f"{duration:.0f} s a run at {connections} connections through deploy/nginx to {WORKERS} gunicorn sync workers, "
        f"each person thinking {THINK_S:g} s on average between actions; the slow run beside {slow} slow clients.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in machine.items()),
        "",
        "| run | requests | req/s | errors | reads p50 ms | reads p99 ms | writes acknowledged | lost | database down s | 5xx once back 5 s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['run']} | {r['requests']:,} | {r['per_second']} | {r['errors']} | {r['read_p50_ms']} | {r['read_p99_ms']} "
            f"| {r['acknowledged']} | {sum(r['lost'].values())} | {r['database_down_s'] or '-'} | "
            f"{'-' if r['errors_after_back'] is None else r['errors_after_back']} |"
        )
    lines += ["", "| result | target | measured |", "| --- | --- | --- |"]
    lines += [f"| {'PASS' if line['pass'] else 'FAIL'} | {line['target']} | {line['measured']} |" for line in verdict]
    return "\n".join(lines) + "\n"


def judge(results):
    runs = {result["run"]: result for result in results}
    plain, restart, slow = runs["plain"], runs["restart"], runs["slow"]
    lines = []

    def target(text, passed, measured):
        lines.append({"target": text, "pass": bool(passed), "measured": measured})

    for result in (plain, slow):
        target(f"{result['run']}: no error", result["errors"] == 0, f"{result['errors']} of {result['requests']}")
    for result in results:
        lost = sum(result["lost"].values())
        target(f"{result['run']}: no acknowledged write lost", lost == 0, f"{lost} lost of {sum(result['acknowledged'].values())} acknowledged {result['acknowledged']}")
    target(
        f"restart: no 5xx once the database is back {BACK_GRACE_S} s",
        restart["errors_after_back"] == 0,
        f"{restart['errors_after_back']} (down {restart['database_down_s']} s; {restart['errors']} errors while down or just after)",
    )
    limit = min(READ_P99_LIMIT_MS, 1.5 * plain["read_p99_ms"]) if plain["read_p99_ms"] else READ_P99_LIMIT_MS
    target(
        f"slow: readers' p99 ≤ {READ_P99_LIMIT_MS} ms and ≤ 1.5x the plain run's",
        slow["read_p99_ms"] is not None and slow["read_p99_ms"] <= max(limit, 0),
        f"{slow['read_p99_ms']} ms (plain {plain['read_p99_ms']} ms), {slow['slow_clients_held']} slow connections held",
    )
    return lines


if __name__ == "__main__":
    sys.exit(main())
