"""`make bench`: seed the benchmark database once, serve KopNet under gunicorn, measure.

bench/bench.sh installs the system packages, the PostgreSQL cluster and the
virtualenv, then runs `python -m bench.run`. Settings come from the environment
(the Makefile passes them on):

    BENCH_COOPERATIVES, BENCH_PARTNERSHIPS   data size (250000, 1000000)
    BENCH_DURATION, BENCH_WARMUP             wrk's measured and warm-up time per case (10s, 3s)
    BENCH_CONNECTIONS, BENCH_THREADS         wrk's connections and threads (16, 2)
    BENCH_WORKERS                            gunicorn sync workers (2 per core)
    BENCH_WORKER_CLASS, BENCH_WORKER_THREADS gunicorn's worker class (sync) and its threads (for gthread)
    BENCH_CASES                              only these cases, comma-separated (a partial run)
    BENCH_SEED=0                             measure the data as it is, never (re)seed
    BENCH_QUIET_WAIT                         seconds to wait for other work to leave the CPU (300)
    BENCH_DATABASE_URL                       the benchmark database (…:5433/kopnet_bench, or
                                             kopnet_bench_small at other sizes)

Runs at other sizes than the default use the database kopnet_bench_small, so that
a quick run never reseeds (drops) the full-size data. `python -m bench.run
--database-name` prints the name for these sizes (bench/bench.sh creates it).

Before wrk measures a case, one priming pass requests each of its URLs once
(bench/prime.py): the server is measured warm, as a long-running one is.

After the cases of a frozen registry come their live variants (bench/cases.py's
LIVE_BASES): each with a random extra parameter on every request (bench/wrk.lua), then
each while bench/writers.py, a process of its own, writes 1 and then 10 times a second
through the services (it starts before wrk's warm-up and stops after the measurement,
reporting its writes and errors).

The API's cases (issue 14 §5) read its lists as a visitor, from one address: the
server's KOPNET_API_RATE_ANON is raised (API_RATE) so that wrk is never refused, while
the limiter still counts each request in the shared cache, a cost measured with the
rest. The 304 case sends the ETag of its URL's warm answer, read from the server and
checked to answer 304 before wrk starts; wrk counts any other answer.

Only a complete run at the default sizes writes bench/RESULTS.md and bench/results.json;
other runs write bench/results-<cooperatives>-<partnerships>.md and .json (ignored by git).
The exit status is 1 when any target (issue 5 §3, issue 10 §4, issue 14 §5) is missed.
"""

import datetime
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import dj_database_url
import psycopg
import psycopg.sql

from bench import prime, report

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
HOST, PORT = "127.0.0.1", 8100
BASE_URL = f"http://{HOST}:{PORT}"
DEFAULT_SIZES = (250_000, 1_000_000)
FULL_DATABASE, SMALL_DATABASE = "kopnet_bench", "kopnet_bench_small"
GUNICORN_TIMEOUT = 120
# The API's limit per client address for the benchmark's server: wrk is one address
# asking thousands of times a second, which 120/m would refuse. Still a limit, counted.
API_RATE = "100000000/m"


def log(message):
    print(f"==> {message}", flush=True)


def database_name(cooperatives, partnerships):
    """The full-size data's database, or another one for every other size.

    Seeding a size drops the data of any other: a quick run must not cost the next
    full run its minutes of seeding.
    """
    return FULL_DATABASE if (cooperatives, partnerships) == DEFAULT_SIZES else SMALL_DATABASE


class Config:
    def __init__(self, env):
        self.cooperatives = int(env.get("BENCH_COOPERATIVES") or DEFAULT_SIZES[0])
        self.partnerships = int(env.get("BENCH_PARTNERSHIPS") or DEFAULT_SIZES[1])
        self.duration = env.get("BENCH_DURATION") or "10s"
        self.warmup = env.get("BENCH_WARMUP") or "3s"
        self.connections = int(env.get("BENCH_CONNECTIONS") or 16)
        self.threads = int(env.get("BENCH_THREADS") or 2)
        self.workers = int(env.get("BENCH_WORKERS") or 2 * (os.cpu_count() or 1))
        # The Makefile exports every setting, so an unset one arrives empty.
        self.worker_class = env.get("BENCH_WORKER_CLASS") or "sync"
        self.worker_threads = env.get("BENCH_WORKER_THREADS") or ""
        self.only = [name.strip() for name in (env.get("BENCH_CASES") or "").split(",") if name.strip()]
        self.seed = (env.get("BENCH_SEED") or "1") != "0"
        self.quiet_wait = int(env.get("BENCH_QUIET_WAIT") or 300)
        self.database_url = env.get("BENCH_DATABASE_URL") or (
            f"postgres://kopnet:kopnet@localhost:5433/{database_name(self.cooperatives, self.partnerships)}"
        )

    def full(self):
        """Whether this run may write bench/RESULTS.md: default sizes, every case."""
        return (self.cooperatives, self.partnerships) == DEFAULT_SIZES and not self.only and self.seed


def server_environment(config):
    """Production settings, as the server and the in-process measurements both use them."""
    return {
        "DJANGO_SETTINGS_MODULE": "kopnet.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": config.database_url,
        "KOPNET_API_RATE_ANON": API_RATE,
    }


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def seed_scale(*args):
    subprocess.run([sys.executable, "-m", "bench.seed_scale", *args], cwd=ROOT, check=True)


# --- the database -----------------------------------------------------------------


def connect(url, dbname=None):
    db = dj_database_url.parse(url)
    return psycopg.connect(
        dbname=dbname or db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
        autocommit=True,
    )


def counts(url):
    with connect(url) as conn:
        cooperatives = conn.execute("select count(*) from registry_cooperative").fetchone()[0]
        partnerships = conn.execute("select count(*) from partnerships_partnership").fetchone()[0]
    return cooperatives, partnerships


def recreate_database(url):
    """Drops and creates the benchmark database: seed_scale then starts from migrated data only."""
    name = dj_database_url.parse(url)["NAME"]
    if not re.search(r"_bench(_small)?$", name):
        raise SystemExit(
            f"bench: refusing to drop {name!r}: the benchmark database's name ends in _bench or _bench_small"
        )
    with connect(url, dbname="postgres") as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def remember_seeding(url, seconds):
    """Keeps how long seed_scale took with the data it made (the database's comment), so
    that a run that reuses the data reports it too, with when and at which commit."""
    note = {"seconds": round(seconds, 1), "at": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"}
    note["commit"] = git_commit()
    name = dj_database_url.parse(url)["NAME"]
    with connect(url) as conn:
        conn.execute(
            psycopg.sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                psycopg.sql.Identifier(name), psycopg.sql.Literal(json.dumps(note))
            )
        )
    return note


def remembered_seeding(url):
    """remember_seeding()'s note of the data in the database (None: seeded before notes were kept)."""
    with connect(url) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def prepare(config):
    """Migrates, seeds when the data is not the asked size, codes its regencies, collects
    static files.

    Returns the seeding's note (remember_seeding()): how long seed_scale took to make the
    data measured, in this run ("this_run") or when it was made; and code_regencies()'s."""
    log("migrating the benchmark database")
    manage("migrate", "--noinput", "--verbosity", "0")
    found = counts(config.database_url)
    asked = (config.cooperatives, config.partnerships)
    seeded = config.seed and found != asked
    if seeded:
        log(f"seeding {asked[0]:,} cooperatives and {asked[1]:,} partnerships (found {found[0]:,} and {found[1]:,})")
        if found != (0, 0):
            recreate_database(config.database_url)
            manage("migrate", "--noinput", "--verbosity", "0")
        started = time.monotonic()
        seed_scale("--cooperatives", str(config.cooperatives), "--partnerships", str(config.partnerships))
        seeding = remember_seeding(config.database_url, time.monotonic() - started) | {"this_run": True}
        log(f"seed_scale took {seeding['seconds']:.0f} s")
    else:
        log(f"reusing the data: {found[0]:,} cooperatives, {found[1]:,} partnerships")
        seeding = remembered_seeding(config.database_url)
    places = code_regencies(config.database_url)
    log("VACUUM ANALYZE" if seeded else "ANALYZE")
    with connect(config.database_url) as conn:
        conn.execute("vacuum analyze" if seeded else "analyze")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("compiletranslations")
    return seeding, places


WAITING_REGENCIES = (
    "SELECT count(*) FROM registry_cooperative WHERE country = 'ID' AND regency_place_id IS NULL AND regency <> ''"
)


def code_regencies(url):
    """`manage.py loadplaces`: Indonesia's places, then each cooperative's typed regency
    coded where it names one (registry.services.regencies_match, as a deployment runs
    it once). seed_scale types the demo's regency names, most of which the matcher codes:
    after a seeding it codes a quarter of a million rows, measured here; after that it
    has only the leftovers to try again. {"seconds", "coded", "left"}."""
    with connect(url) as conn:
        waiting = conn.execute(WAITING_REGENCIES).fetchone()[0]
    started = time.monotonic()
    manage("loadplaces")
    seconds = time.monotonic() - started
    with connect(url) as conn:
        left = conn.execute(WAITING_REGENCIES).fetchone()[0]
    log(f"loadplaces took {seconds:.0f} s: {waiting - left:,} regencies coded, {left:,} left")
    return {"seconds": round(seconds, 1), "coded": waiting - left, "left": left}


# --- gunicorn ---------------------------------------------------------------------


WORKERS_REASON = (
    "two per core: a sync worker sits idle while PostgreSQL, on the same cores, answers its queries, "
    "so one per core would leave CPU unused; more would only add switching against wrk and PostgreSQL, "
    "which share the 2 cores. Worker timeout 120 s, so that a slow CSV export is measured, not killed."
)


class Server:
    def __init__(self, config, env, log_path):
        self.config, self.env, self.log_path = config, env, log_path
        self.process = None

    def start(self):
        with socket.socket() as probe:
            if probe.connect_ex((HOST, PORT)) == 0:
                raise SystemExit(f"bench: something already listens on {HOST}:{PORT}; stop it first")
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "kopnet.wsgi:application",
            "--bind", f"{HOST}:{PORT}",
            "--workers", str(self.config.workers),
            "--worker-class", self.config.worker_class,
            *(["--threads", self.config.worker_threads] if self.config.worker_threads else []),
            "--timeout", str(GUNICORN_TIMEOUT),
            "--error-logfile", str(self.log_path),
            # gunicorn 27's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl),
            # shared with any other gunicorn on the machine; the benchmark needs none.
            "--no-control-socket",
        ]  # fmt: skip
        log(f"starting gunicorn ({self.config.workers} {self.config.worker_class} workers) on {BASE_URL}")
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **self.env})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{BASE_URL}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"bench: /healthz did not answer 200 within 60 s:\n{self.log_tail()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --- wrk --------------------------------------------------------------------------


def wrk(config, duration, urls_file, cookie, random_param=False, headers=(), expect=0):
    """wrk's figures for the URLs of `urls_file`; `headers` ("Name: value") go with every
    request, and every answer but `expect` (any 2xx when 0) is counted (bench/wrk.lua)."""
    command = [
        "wrk",
        f"-c{config.connections}",
        f"-t{config.threads}",
        f"-d{duration}",
        "--timeout", "30s",
        *(option for header in headers for option in ("-H", header)),
        "-s", str(BENCH / "wrk.lua"),
        BASE_URL,
        "--", str(urls_file), cookie, "random" if random_param else "", str(expect or ""),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return report.parse_wrk_output(done.stdout)


# --- the writers beside a case ---------------------------------------------------

WRITERS_READY_SECONDS = 120


class Writers:
    """bench/writers.py in a process of its own, writing to the server's database."""

    def __init__(self, env, rate, seed):
        command = [sys.executable, "-m", "bench.writers", "--rate", str(rate), "--seed", str(seed)]
        writers_env = {**os.environ, **env, "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
        self.process = subprocess.Popen(command, cwd=ROOT, env=writers_env, stdout=subprocess.PIPE, text=True)

    def wait_ready(self):
        """Returns once the writers are set up and writing (READY), or raises."""
        deadline = time.monotonic() + WRITERS_READY_SECONDS
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.strip() == "READY":
                return
            if not line and self.process.poll() is not None:
                raise RuntimeError(f"bench.writers exited ({self.process.returncode}) before writing")
        raise RuntimeError(f"bench.writers not ready within {WRITERS_READY_SECONDS} s")

    def stop(self):
        """Stops them (SIGTERM ends the write under way first) and returns their tally."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            out, _err = self.process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise RuntimeError("bench.writers did not stop within 120 s") from None
        return report.parse_writers_output(out)


def not_modified_header(url, cookie=""):
    """If-None-Match with the ETag of `url`'s answer now, once the server has answered
    it 304 with it: what the 304 case's requests send. RuntimeError otherwise."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=prime.TIMEOUT) as response:
        response.read()
        etag = response.headers.get("ETag")
    if not etag:
        raise RuntimeError(f"{url} answered {response.status} without an ETag")
    status = prime.fetch(url, cookie, headers={"If-None-Match": etag})
    if status != 304:
        raise RuntimeError(f"{url} answered {status} to If-None-Match: {etag}, not 304")
    return f"If-None-Match: {etag}"


def cpu_busy(seconds):
    """The share of all cores busy over `seconds` (from /proc/stat)."""

    def sample():
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]  # idle and iowait
        return sum(values), idle

    total_before, idle_before = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    total = total_after - total_before
    return 1 - (idle_after - idle_before) / total if total else 0.0


def wait_for_quiet(seconds):
    """Waits up to `seconds` for other work (other people's test runs) to leave the CPU."""
    deadline = time.monotonic() + seconds
    busy = cpu_busy(2)
    if busy > report.BUSY_WARNING:
        log(f"the machine is {busy:.0%} busy with other work: waiting up to {seconds} s for it to be quiet")
    while busy > report.BUSY_WARNING and time.monotonic() < deadline:
        busy = cpu_busy(2)
    return busy


# The ceiling again beside each case: /healthz for this long right before the case's
# warm-up and right after its measurement (and its writers). The machine's speed drifts
# over a run, and /healthz with it: a case's share is taken of the ceiling measured
# around it (report.evaluate), and the table shows that ceiling.
CEILING_BESIDE = "3s"


def ceiling_rps(config, ceiling_file):
    return wrk(config, CEILING_BESIDE, ceiling_file, "")["requests_per_s"]


def measure_case(config, case, urls_file, cookie, server, env, ceiling_file):
    result = {
        "name": case.name,
        "kind": case.kind,
        "urls": len(case.urls),
        "distinct_urls": len(set(case.urls)),
        "note": case.note,
        "example": case.urls[0],
    }
    if case.base:
        result["base"] = case.base
    if case.writes_per_s:
        result["writes_per_s"] = case.writes_per_s
    if case.expect:
        result["expect"] = case.expect
    # The previous case's last requests may still be served: wait (up to 10 s) for a quiet
    # machine. Whatever then keeps the CPU busy is other work, taking it from this case.
    deadline = time.monotonic() + 10
    while (busy := cpu_busy(0.5)) > report.BUSY_WARNING and time.monotonic() < deadline:
        pass
    result["background_busy"] = busy
    if busy > report.BUSY_WARNING:
        log(
            f"WARNING: before {case.name} the machine was {result['background_busy']:.0%} busy with other work; "
            "its figures will be low"
        )
    if case.kind != "ceiling":
        # Every URL of the case once, so that wrk meets the steady state of a long-running
        # server (cached pages and counts, PostgreSQL's buffers), not the first visit of each.
        primed = prime.prime(BASE_URL, case.urls, cookie)
        result["prime_seconds"] = primed["seconds"]
        if primed["failures"]:
            result["error"] = prime.failure_text(primed)
            log(f"FAIL {case.name}: {result['error']}\ngunicorn's log ends:\n{server.log_tail(15)}")
            return result
        log(f"{case.name}: primed {primed['requests']:,} URLs in {primed['seconds']:.1f} s")
    headers = []
    if case.expect == 304:
        try:
            headers.append(not_modified_header(BASE_URL + case.urls[0], cookie))
        except (OSError, RuntimeError) as error:
            result["error"] = str(error)
            log(f"FAIL {case.name}: {error}")
            return result
        log(f"{case.name}: {case.urls[0]} answers 304 to {headers[0]}")
    elif case.expect:
        raise ValueError(f"{case.name}: no way to make a server answer {case.expect}")
    ceiling = []
    writers = None
    try:
        if case.kind != "ceiling":
            ceiling.append(ceiling_rps(config, ceiling_file))
        if case.writes_per_s:
            # Set up before wrk starts; they write through its warm-up and measurement.
            writers = Writers(env, case.writes_per_s, seed=zlib.crc32(case.name.encode()))
            writers.wait_ready()
        wrk(config, config.warmup, urls_file, cookie, case.random_param, headers, case.expect)
        figures = wrk(config, config.duration, urls_file, cookie, case.random_param, headers, case.expect)
    except (RuntimeError, ValueError) as error:
        result["error"] = str(error)
        log(f"FAIL {case.name}: {error}")
        return result
    finally:
        if writers is not None:
            try:
                result["writers"] = writers.stop()
            except (RuntimeError, ValueError) as error:
                result["writers_error"] = str(error)
                log(f"FAIL {case.name}: {error}")
    if ceiling:
        try:
            ceiling.append(ceiling_rps(config, ceiling_file))
        except (RuntimeError, ValueError) as error:
            result["error"] = f"/healthz after the case: {error}"
            log(f"FAIL {case.name}: {result['error']}")
            return result
        result["ceiling_beside"] = ceiling
    if "writers" in result:
        tally = result["writers"]
        log(
            f"{case.name}: the writers made {report.writers_text(tally)} "
            f"(a write p50 {report.number(tally['write_ms_p50'])} ms, max {report.number(tally['write_ms_max'])} ms)"
        )
    result["wrk"] = figures
    latency = figures["latency_us"]
    log(
        f"{case.name}: {figures['requests_per_s']:,.0f} req/s, p50 {latency['p50'] / 1000:.1f} ms, "
        f"p99 {latency['p99'] / 1000:.1f} ms ({figures['requests']:,} requests over {len(case.urls)} URLs)"
    )
    if figures["unexpected"] or figures["socket_errors_total"]:
        bar = "!" * 72
        print(
            f"{bar}\nFAIL {case.name}: {figures['unexpected']} answers not {figures['expected']} "
            f"{figures['unexpected_by_status']}, "
            f"socket errors {figures['socket_errors']}. A benchmark of error pages is worthless.\n"
            f"e.g. {case.urls[0]}\ngunicorn's log ends:\n{server.log_tail(15)}\n{bar}",
            flush=True,
        )
    return result


# --- the run ----------------------------------------------------------------------


def git_commit():
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def data_sizes():
    from partnerships.models import Partnership, PartnershipParty
    from registry.models import Cooperative, Membership, Partner

    return {
        "cooperatives": Cooperative.objects.count(),
        "verified_cooperatives": Cooperative.objects.verified().count(),
        "memberships": Membership.objects.count(),
        "partners": Partner.objects.count(),
        "partnerships": Partnership.objects.count(),
        "partnership_parties": PartnershipParty.objects.count(),
    }


def postgresql_description():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("show server_version")
        version = cursor.fetchone()[0]
        shown = []
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "fsync", "synchronous_commit"):
            cursor.execute(f"show {name}")
            shown.append(f"{name}={cursor.fetchone()[0]}")
    return version, ", ".join(shown)


def output_paths(config, data):
    if config.full():
        return BENCH / "RESULTS.md", BENCH / "results.json"
    stem = f"results-{data['cooperatives']}-{data['partnerships']}"
    return BENCH / f"{stem}.md", BENCH / f"{stem}.json"


def main():
    config = Config(os.environ)
    if sys.argv[1:] == ["--database-name"]:
        print(dj_database_url.parse(config.database_url)["NAME"])
        return 0
    env = server_environment(config)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    seeding, places = prepare(config)
    seed_seconds = seeding["seconds"] if seeding and seeding.get("this_run") else None
    prepared = time.monotonic()

    import django

    django.setup()
    from django.db import connection

    from bench import cases as cases_module
    from bench import csvexport, machine, open_data, queries

    log("building the cases' URLs from the data")
    cases = cases_module.build_cases()
    if config.only:
        unknown = set(config.only) - {case.name for case in cases}
        if unknown:
            raise SystemExit(f"bench: no such case {', '.join(sorted(unknown))}")
        cases = [case for case in cases if case.name in config.only or case.name == report.CEILING_CASE]
    # Each signed-in user's session, kurator's for the CSV exports too.
    users = {case.user for case in cases if case.user} | {cases_module.CURATOR}
    cookies = {user: cases_module.session_cookie(user) for user in users}
    exports = cases_module.csv_exports() if not config.only else []
    connection.close()  # the server gets the database to itself while measuring

    wait_for_quiet(config.quiet_wait)
    workdir = Path(tempfile.mkdtemp(prefix="kopnet-bench-"))
    server = Server(config, env, workdir / "gunicorn.log")
    measured, csv_results = [], []
    try:
        server.start()
        ceiling_file = workdir / "ceiling.txt"
        ceiling_file.write_text("\n".join(next(case.urls for case in cases if case.kind == "ceiling")) + "\n")
        for case in cases:
            urls_file = workdir / f"{case.name}.txt"
            urls_file.write_text("\n".join(case.urls) + "\n")
            measured.append(
                measure_case(config, case, urls_file, cookies.get(case.user, ""), server, env, ceiling_file)
            )
        for export in exports:
            log(f"CSV export {export['url']} (as kurator, {export['rows']:,} rows expected)")
            result = {"name": export["name"], "url": export["url"], "rows_expected": export["rows"]}
            try:
                result.update(csvexport.timed_download(BASE_URL, export["url"], cookies[cases_module.CURATOR], server.process.pid))
            except (OSError, RuntimeError) as error:
                result["error"] = str(error)
            if "error" in result:
                log(f"FAIL {export['name']}: {result['error']}")
            else:
                log(
                    f"{export['name']}: {result['rows']:,} rows in {result['seconds']:.2f} s, "
                    f"worker RSS +{result['rss_growth_mb']:.1f} MB"
                )
            csv_results.append(result)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)  # the URL lists and gunicorn's log

    log("open data snapshot (manage.py export_open_data)")
    snapshot = open_data.timed_export(ROOT)
    log(
        f"FAIL open data: {snapshot['error']}" if "error" in snapshot
        else f"open data: {snapshot['seconds']:.1f} s, peak memory {snapshot['peak_rss_mb']:.0f} MB, "
        f"{snapshot['size_mb']:.0f} MB zipped"
    )  # fmt: skip

    log("queries per request (Django's test client, same settings)")
    reference = {"loop": queries.REFERENCE_LOOP, "before": queries.reference_ms()}
    queries.warm_up([case for case in cases if not case.base])
    # A live variant requests its base case's URLs: the same queries.
    costs = queries.queries_per_request([case for case in cases if not case.base])
    for case, result in zip(cases, measured):
        outcome = costs.get(case.name)
        if isinstance(outcome, RuntimeError):
            result["queries_error"] = str(outcome)
            log(f"FAIL {case.name}: {outcome}")
        elif outcome is not None:
            result["queries"] = outcome
    search_case = next((case for case in cases if case.name == "coop_search"), None)
    search = queries.search_server_time(search_case) if search_case else None
    reference["after"] = queries.reference_ms()
    finished = time.monotonic()

    version, pg_settings = postgresql_description()
    results = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "data": data_sizes(),
        "machine": machine.describe(version, pg_settings),
        "settings": {
            "workers": config.workers,
            "workers_reason": WORKERS_REASON,
            "port": PORT,
            "queries_sample": queries.SAMPLE,
            "queries_rounds": queries.ROUNDS,
            "prime_threads": prime.THREADS,
            "api_rate": API_RATE,
            "wrk": {
                "connections": config.connections,
                "threads": config.threads,
                "duration": config.duration,
                "warmup": config.warmup,
                "ceiling_beside": CEILING_BESIDE,
            },
        },
        "timings": {
            "prepare_s": prepared - started, "seed_s": seed_seconds, "places": places, "measure_s": finished - prepared,
        },
        "cases": measured,
        "csv": csv_results,
        "open_data": snapshot,
        "search": search,
        "reference_ms": reference,
        "seeding": seeding,
    }
    report.evaluate(results)
    markdown_path, json_path = output_paths(config, results["data"])
    markdown_path.write_text(report.render_markdown(results))
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")

    print()
    print(report.cases_table(results))
    print()
    print(report.page_ratio_line(results))
    print()
    print(report.targets_table(results))
    print()
    print(report.csv_table(results))
    print()
    print(report.open_data_line(results))
    print()
    print(report.busy_line(results))
    failed = report.failed_targets(results)
    print(
        f"\nPreparing took {prepared - started:.0f} s"
        + (f" (seeding {seed_seconds:.0f} s)" if seed_seconds else "")
        + f", measuring {finished - prepared:.0f} s. Written: {markdown_path.relative_to(ROOT)}, "
        f"{json_path.relative_to(ROOT)}."
    )
    if failed:
        print(f"bench: {len(failed)} of {len(report.TARGETS)} targets missed.")
        return 1
    print("bench: every target met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
