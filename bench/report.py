"""The benchmark's pure parts: wrk's figures read, targets judged, the table written.

Nothing here touches the network, the database or Django, so tests/test_bench.py
keeps it working. `results` is the dict bench/run.py builds and writes as
bench/results.json: its "cases" each hold "wrk" (what bench/wrk.lua printed) and
"queries" (bench/queries.py), plus "csv" and "search".
"""

import json
from pathlib import Path

MARKER = "BENCH_JSON "
WRITERS_MARKER = "WRITERS_JSON "  # bench/writers.py's last line

# Issue 5 §3, on this 2-core machine with the default data (bench/run.py's DEFAULT_SIZES:
# 250,000 cooperatives and 1,000,000 partnerships since issue "Fast while people write" §1).
LIST_SHARE = 0.20  # every public list page, of /healthz's req/s in the same run
DETAIL_SHARE = 0.30  # every detail page
LIST_P99_MS = 100
DETAIL_P99_MS = 50
PAGE_FACTOR = 1.5  # page 1000 against page 1, both in p50 and in req/s
ADMIN_FACTOR = 3  # the public filtered list against the admin changelist, same filter
CSV_SECONDS = 10
# The full export may grow the serving worker by this much more than the small one;
# memory that grew with rows would take hundreds of MB for 250,000 of them.
CSV_FLAT_MB = 20
# The open data snapshot (issue 14 §2): all of it within 2 minutes, and its process's
# peak memory what Django and a chunk of rows take, whatever the registry's size.
OPEN_DATA_SECONDS = 120
OPEN_DATA_PEAK_MB = 300
SEARCH_P50_MS = 20
# Issue 10 §1: seed_scale makes the default registry in at most 3 minutes.
SEED_SECONDS = 180
# Issue 10 §2: each public page's server time with the cache emptied ("uncached ms",
# bench/queries.py), p50 over the case's URLs: what a visitor meets after a write.
COLD_LIST_MS = 60  # lists (filtered, searched, deep pages) and the home page
COLD_DETAIL_MS = 30  # profiles, the busiest cooperative's included
COLD_STATISTICS_MS = 100
# Issue 10 §3: the dashboard of an official of the busiest cooperative, which no cache
# serves (it is theirs alone), p50 of its server time.
DASHBOARD_MS = 50
STATISTICS_CASE = "statistics"
# Issue 10 §4: the public cases again while the registry is written to, and with a
# random extra parameter on every request (bench/cases.py builds these variants).
WRITE_RATES = (1, 10)  # writes a second by bench/writers.py
WRITES_SHARE = {1: 0.30, 10: 0.25}  # of /healthz's req/s in the same run
WRITES_P99_MS = {1: 100}  # no p99 limit at 10 writes a second
RANDOM_SHARE = 0.40
# The writers must keep up with the asked rate, or the case measured a quieter registry.
WRITERS_PACE = 0.9
# Issue 14 §5: the API's lists (bench/cases.py's api_cases), warm, as a visitor reads
# them (from the shared cache, through the API's rate limit).
API_SHARE = 0.40  # every API list case, the deep page's included
API_WRITE_RATES = (1,)  # its lists again while bench/writers.py writes
API_WRITES_SHARE = {1: 0.30}
NOT_MODIFIED_SHARE = 0.80  # a 304 answered to If-None-Match with the ETag of the page
DEEP_FACTOR = 1.2  # the page at cursor position 10,000 against the first, p50 and req/s
# Other work keeping the CPU this busy between cases makes a case's figures unreliable.
BUSY_WARNING = 0.15

PAGE_CASE, FIRST_PAGE_CASE = "coop_list_page1000", "coop_list"
ADMIN_CASE, PUBLIC_FILTERED_CASE = "admin_coop_changelist", "coop_list_filtered"
DEEP_CASE, FIRST_API_CASE = "api_partnerships_deep", "api_partnerships"
CEILING_CASE = "healthz"

TARGETS = {
    "answers": "every request of every case answered 2xx (the 304 case 304), without socket errors",
    "list_share": f"every public list page ≥ {LIST_SHARE:.0%} of /healthz req/s",
    "list_p99": f"every public list page p99 ≤ {LIST_P99_MS} ms",
    "detail_share": f"every detail page ≥ {DETAIL_SHARE:.0%} of /healthz req/s",
    "detail_p99": f"every detail page p99 ≤ {DETAIL_P99_MS} ms",
    "page1000": f"page 1000 ≤ {PAGE_FACTOR}× page 1 (p50) and ≥ page 1 req/s ÷ {PAGE_FACTOR}",
    "search": f"name search (q of 3+ letters) ≤ {SEARCH_P50_MS} ms server time at p50 (PostgreSQL's time for the search's queries, cache emptied)",
    "admin": f"public filtered list ≥ {ADMIN_FACTOR}× the admin changelist's req/s (same filters)",
    "csv_time": f"CSV export of every cooperative in ≤ {CSV_SECONDS} s",
    "csv_memory": f"CSV export memory flat: all rows grow the worker ≤ {CSV_FLAT_MB} MB more than few rows",
    "open_data_time": f"open data snapshot (manage.py export_open_data) in ≤ {OPEN_DATA_SECONDS} s",
    "open_data_memory": f"open data snapshot's process at most {OPEN_DATA_PEAK_MB} MB at its peak (memory flat)",
    **{
        f"writes{rate}_share": f"with {rate} write{'s' if rate > 1 else ''}/s every public case ≥ "
        f"{WRITES_SHARE[rate]:.0%} of /healthz req/s"
        for rate in WRITE_RATES
    },
    **{
        f"writes{rate}_p99": f"with {rate} write{'s' if rate > 1 else ''}/s every public case p99 ≤ {limit} ms"
        for rate, limit in WRITES_P99_MS.items()
    },
    "random_share": f"with a random extra parameter every public case ≥ {RANDOM_SHARE:.0%} of /healthz req/s",
    "writers": f"the writers made every write without an error, at ≥ {WRITERS_PACE:.0%} of the asked rate",
    "cold_list": f"every public list page and the home page ≤ {COLD_LIST_MS} ms server time cold (cache emptied, p50)",
    "cold_detail": f"every detail page ≤ {COLD_DETAIL_MS} ms server time cold (cache emptied, p50)",
    "cold_statistics": f"/statistik/ ≤ {COLD_STATISTICS_MS} ms server time cold (cache emptied, p50)",
    "dashboard": f"the dashboard of the busiest cooperative's official ≤ {DASHBOARD_MS} ms server time (p50)",
    "seed": f"seed_scale makes the measured registry in ≤ {SEED_SECONDS} s",
    "api_share": f"every API list ≥ {API_SHARE:.0%} of /healthz req/s",
    **{
        f"api_writes{rate}_share": f"with {rate} write{'s' if rate > 1 else ''}/s every API list ≥ "
        f"{API_WRITES_SHARE[rate]:.0%} of /healthz req/s"
        for rate in API_WRITE_RATES
    },
    "api_deep": f"the API page at cursor position 10,000 ≤ {DEEP_FACTOR}× the first page (p50) and ≥ its req/s ÷ {DEEP_FACTOR}",
    "api_304_share": f"an API page's 304 (If-None-Match) ≥ {NOT_MODIFIED_SHARE:.0%} of /healthz req/s",
}


def parse_wrk_output(stdout):
    """The figures bench/wrk.lua printed in done(), from wrk's whole output."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            figures = json.loads(line[len(MARKER) :])
            figures["socket_errors_total"] = sum(figures["socket_errors"].values())
            return figures
    raise ValueError("wrk printed no BENCH_JSON line (did bench/wrk.lua run?)")


def parse_writers_output(stdout):
    """The tally bench/writers.py printed when it stopped, from its whole output."""
    for line in stdout.splitlines():
        if line.startswith(WRITERS_MARKER):
            return json.loads(line[len(WRITERS_MARKER) :])
    raise ValueError("the writers printed no WRITERS_JSON line (did bench/writers.py stop cleanly?)")


def ms(microseconds):
    return microseconds / 1000


def check(group, case, passed, measured, badness=0.0):
    """One case measured against one target; `badness` orders the checks of a target, worst first."""
    return {"group": group, "case": case, "passed": bool(passed), "measured": measured, "badness": badness}


def case_checks(case, cases_by_name):
    """The checks of one case's figures against its targets."""
    name, wrk = case["name"], case.get("wrk")
    if not wrk:
        return [check("answers", name, False, case.get("error", "wrk gave no figures"))]
    if not wrk["requests"]:
        # wrk's latencies are then zeros, which would pass every limit.
        return [check("answers", name, False, "no request completed in the measured time", 1.0)]
    bad = wrk["unexpected"] + wrk["socket_errors_total"]
    statuses = f" {wrk['unexpected_by_status']}" if wrk.get("unexpected_by_status") else ""
    expected = str(case.get("expect") or "2xx")
    checks = [
        check(
            "answers",
            name,
            bad == 0 and wrk["expected"] == expected,
            f"{wrk['unexpected']} answers not {wrk['expected']}{statuses} and {wrk['socket_errors_total']} "
            f"socket errors in {wrk['requests']:,} requests"
            + ("" if wrk["expected"] == expected else f", but the case expects {expected}"),
            bad / max(wrk["requests"], 1),
        )
    ]
    share, p99 = case.get("share"), ms(wrk["latency_us"]["p99"])
    for group, floor, limit in limits(case):
        checks.append(
            check(
                f"{group}_share",
                name,
                share is not None and share >= floor,
                f"{_share(share)} of /healthz",
                -(share or 0),
            )
        )
        if limit is not None:
            checks.append(check(f"{group}_p99", name, p99 <= limit, f"p99 {p99:.1f} ms", p99))
    if case.get("writes_per_s"):
        checks.append(writers_check(case))
    first = cases_by_name.get(FIRST_PAGE_CASE, {}).get("wrk")
    if name == PAGE_CASE and first:
        p50_ratio = wrk["latency_us"]["p50"] / first["latency_us"]["p50"]
        rps_ratio = wrk["requests_per_s"] / first["requests_per_s"]
        checks.append(
            check(
                "page1000",
                name,
                p50_ratio <= PAGE_FACTOR and rps_ratio >= 1 / PAGE_FACTOR,
                f"p50 {p50_ratio:.2f}× page 1's, req/s {rps_ratio:.2f}× page 1's",
            )
        )
    first = cases_by_name.get(FIRST_API_CASE, {})
    if name == DEEP_CASE:
        checks.append(deep_check(case, first))
    public = cases_by_name.get(PUBLIC_FILTERED_CASE, {}).get("wrk")
    if name == ADMIN_CASE and public:
        factor = public["requests_per_s"] / wrk["requests_per_s"] if wrk["requests_per_s"] else float("inf")
        checks.append(
            check("admin", name, factor >= ADMIN_FACTOR, f"{PUBLIC_FILTERED_CASE} at {factor:.1f}× its req/s")
        )
    return checks


def deep_check(deep, first):
    """The API's deep page against its first page, as page 1000 against page 1: p50 and
    req/s under wrk (both warm: answered from the cache). Their cold server times
    (bench/queries.py), where keyset pages differ from OFFSET ones, are shown beside."""
    wrk, first_wrk = deep["wrk"], first.get("wrk")
    if not first_wrk or not first_wrk["requests"]:
        return check("api_deep", deep["name"], False, f"{FIRST_API_CASE} not measured", float("inf"))
    p50_ratio = wrk["latency_us"]["p50"] / first_wrk["latency_us"]["p50"]
    rps_ratio = wrk["requests_per_s"] / first_wrk["requests_per_s"]
    cold, first_cold = ((c.get("queries") or {}).get("uncached_ms_p50") for c in (deep, first))
    cold_text = f"; cold {cold:.1f} ms against {first_cold:.1f} ms" if cold is not None and first_cold else ""
    return check(
        "api_deep",
        deep["name"],
        p50_ratio <= DEEP_FACTOR and rps_ratio >= 1 / DEEP_FACTOR,
        f"p50 {p50_ratio:.2f}× the first page's, req/s {rps_ratio:.2f}× its{cold_text}",
        max(p50_ratio, 1 / rps_ratio if rps_ratio else float("inf")),
    )


def cold_checks(case):
    """A page's cold server time against its limit: the public pages' (the live variants
    share their base's) and the official's dashboard's."""
    if case["kind"] not in ("list", "detail", "dashboard") or case.get("base"):
        return []
    name = case["name"]
    if case["kind"] == "dashboard":
        group, limit = "dashboard", DASHBOARD_MS
    elif name == STATISTICS_CASE:
        group, limit = "cold_statistics", COLD_STATISTICS_MS
    else:
        group, limit = ("cold_list", COLD_LIST_MS) if case["kind"] == "list" else ("cold_detail", COLD_DETAIL_MS)
    cold = (case.get("queries") or {}).get("uncached_ms_p50")
    if cold is None:
        return [check(group, name, False, case.get("queries_error") or "not measured", float("inf"))]
    return [check(group, name, cold <= limit, f"{cold:.1f} ms cold", cold)]


def limits(case):
    """(target group, share floor, p99 limit or None) for a case's kind; none for the others."""
    kind = case["kind"]
    if kind == "list":
        return [("list", LIST_SHARE, LIST_P99_MS)]
    if kind == "detail":
        return [("detail", DETAIL_SHARE, DETAIL_P99_MS)]
    if kind == "writes":
        rate = case["writes_per_s"]
        return [(f"writes{rate}", WRITES_SHARE[rate], WRITES_P99_MS.get(rate))]
    if kind == "random":
        return [("random", RANDOM_SHARE, None)]
    if kind == "api":
        return [("api", API_SHARE, None)]
    if kind == "api_writes":
        rate = case["writes_per_s"]
        return [(f"api_writes{rate}", API_WRITES_SHARE[rate], None)]
    if kind == "api_304":
        return [("api_304", NOT_MODIFIED_SHARE, None)]
    return []


def writers_check(case):
    """Whether the writers beside a case wrote without errors, at the asked rate."""
    writers = case.get("writers")
    if not writers:
        return check("writers", case["name"], False, case.get("writers_error", "the writers reported nothing"), 1.0)
    asked = case["writes_per_s"]
    errors = writers["errors"]
    examples = f" ({'; '.join(writers['error_examples'][:2])})" if errors and writers.get("error_examples") else ""
    return check(
        "writers",
        case["name"],
        errors == 0 and writers["achieved_rate"] >= asked * WRITERS_PACE,
        f"{writers_text(writers)}{examples}",
        errors + max(0.0, asked - writers["achieved_rate"]) / asked,
    )


def writers_text(writers):
    errors = writers["errors"]
    return f"{writers['writes']:,} writes, {errors} error{'' if errors == 1 else 's'}, {writers['achieved_rate']:.1f}/s"


def _share(share):
    return "—" if share is None else f"{share:.0%}"


def ceiling_of(case, by_name):
    """The /healthz req/s a case's share is taken of: the mean of those measured right
    before and after it (bench/run.py's "ceiling_beside"), as the machine's speed
    drifts over a run; the run's own /healthz case where none was."""
    beside = case.get("ceiling_beside")
    if beside:
        return sum(beside) / len(beside) or None
    ceiling = by_name.get(CEILING_CASE, {}).get("wrk")
    return ceiling["requests_per_s"] if ceiling and ceiling["requests_per_s"] else None


def evaluate(results):
    """Judges `results` in place: each case gets "share" and "checks"; returns every check."""
    cases = results["cases"]
    by_name = {case["name"]: case for case in cases}
    for case in cases:
        wrk, ceiling = case.get("wrk"), ceiling_of(case, by_name)
        case["share"] = wrk["requests_per_s"] / ceiling if wrk and ceiling else None
    checks = []
    for case in cases:
        # The cold time comes from Django's test client, not wrk: judged whatever wrk saw.
        case["checks"] = case_checks(case, by_name) + cold_checks(case)
        checks += case["checks"]
    search = results.get("search")
    if search:
        passed = search["p50_ms"] <= SEARCH_P50_MS
        page = f"; the whole page cold: p50 {search['page_p50_ms']:.1f} ms" if "page_p50_ms" in search else ""
        checks.append(check("search", "coop_search", passed, f"p50 {search['p50_ms']:.1f} ms{page}"))
    else:
        checks.append(check("search", "coop_search", False, "not measured"))
    checks += csv_checks(results.get("csv") or [])
    checks += open_data_checks(results.get("open_data"))
    checks.append(seed_check(results.get("seeding")))
    results["checks"] = checks
    return checks


def seed_check(seeding):
    """How long seed_scale took to make the data measured: in this run, or when it was
    made (bench/run.py keeps it with the data)."""
    if not seeding:
        return check("seed", "seed_scale", False, "not measured: the data was made before its time was kept")
    when = "in this run" if seeding.get("this_run") else f"when the data was made, {seeding['at']} at {seeding['commit']}"
    seconds = seeding["seconds"]
    return check("seed", "seed_scale", seconds <= SEED_SECONDS, f"{seconds:.0f} s, {when}", seconds / SEED_SECONDS)


def csv_checks(exports):
    by_name = {export["name"]: export for export in exports}
    full, small = by_name.get("csv_all"), by_name.get("csv_one_province")
    checks = []
    for export in exports:
        if export.get("error") or export.get("rows") != export.get("rows_expected"):
            checks.append(
                check(
                    "answers",
                    export["name"],
                    False,
                    export.get("error") or f"{export.get('rows')} rows, expected {export.get('rows_expected')}",
                )
            )
    if not full or full.get("error"):
        return [
            *checks,
            check("csv_time", "csv_all", False, "not measured"),
            check("csv_memory", "csv_all", False, "not measured"),
        ]
    measured = f"{full['seconds']:.1f} s for {full['rows']:,} rows"
    checks.append(check("csv_time", "csv_all", full["seconds"] <= CSV_SECONDS, measured))
    if small and not small.get("error"):
        grown = full["rss_growth_mb"] - small["rss_growth_mb"]
        checks.append(
            check(
                "csv_memory",
                "csv_all",
                grown <= CSV_FLAT_MB,
                f"+{full['rss_growth_mb']:.1f} MB for {full['rows']:,} rows, "
                f"+{small['rss_growth_mb']:.1f} MB for {small['rows']:,}",
            )
        )
    else:
        checks.append(check("csv_memory", "csv_all", False, "the small export was not measured"))
    return checks


def open_data_checks(snapshot):
    if not snapshot or "error" in snapshot:
        why = snapshot["error"] if snapshot else "not measured"
        return [check("open_data_time", "export_open_data", False, why),
                check("open_data_memory", "export_open_data", False, why)]  # fmt: skip
    rows = snapshot["rows"]
    seconds = f"{snapshot['seconds']:.0f} s for {rows['cooperatives']:,} cooperatives, {rows['partnerships']:,} partnerships"
    peak = f"{snapshot['peak_rss_mb']:.0f} MB peak"
    return [
        check("open_data_time", "export_open_data", snapshot["seconds"] <= OPEN_DATA_SECONDS, seconds,
              snapshot["seconds"] / OPEN_DATA_SECONDS),
        check("open_data_memory", "export_open_data", snapshot["peak_rss_mb"] <= OPEN_DATA_PEAK_MB, peak,
              snapshot["peak_rss_mb"] / OPEN_DATA_PEAK_MB),
    ]  # fmt: skip


def open_data_line(results):
    snapshot = results.get("open_data")
    if not snapshot:
        return "Open data snapshot: not measured."
    if "error" in snapshot:
        return f"Open data snapshot: failed ({snapshot['error']})."
    return (
        f"Open data snapshot: {snapshot['seconds']:.1f} s, peak memory {snapshot['peak_rss_mb']:.0f} MB, "
        f"{snapshot['size_mb']:.0f} MB zipped (targets ≤ {OPEN_DATA_SECONDS} s, ≤ {OPEN_DATA_PEAK_MB} MB)."
    )


SHOWN = 4


def summarise(checks):
    """One line per target of TARGETS: passed when every check of its group passed."""
    lines = []
    for group, text in TARGETS.items():
        mine = [c for c in checks if c["group"] == group]
        failed = [c for c in mine if not c["passed"]]
        if not mine:
            lines.append({"group": group, "target": text, "passed": False, "detail": "not measured"})
            continue
        if failed:
            failed.sort(key=lambda c: -c["badness"])
            detail = "; ".join(f"{c['case']}: {c['measured']}" for c in failed[:SHOWN])
            if len(failed) > SHOWN:
                detail += f"; and {len(failed) - SHOWN} more"
        elif group == "answers":
            detail = f"{len(mine)} case{'s' if len(mine) > 1 else ''}, no error"
        else:
            worst = max(mine, key=lambda c: c["badness"])
            detail = ("worst " if len(mine) > 1 else "") + f"{worst['case']}: {worst['measured']}"
        lines.append({"group": group, "target": text, "passed": not failed, "detail": detail})
    return lines


def target_text(case):
    if case["kind"] == "ceiling":
        return "the ceiling"
    texts = [
        f"≥{floor:.0%}" + (f", p99 ≤{limit} ms" if limit is not None else "") for _group, floor, limit in limits(case)
    ]
    if case.get("writes_per_s"):
        texts.append("writers without errors")
    if case.get("expect"):
        texts.append(f"every answer {case['expect']}")
    if case["name"] == DEEP_CASE:
        texts.append(f"≤{DEEP_FACTOR}× the first page")
    if case["name"] == PAGE_CASE:
        texts.append(f"≤{PAGE_FACTOR}× page 1")
    if case["name"] == ADMIN_CASE:
        texts.append(f"public ≥{ADMIN_FACTOR}× this")
    if case["kind"] == "dashboard":
        texts.append(f"≤{DASHBOARD_MS} ms server time")
    return "; ".join(texts) or "2xx only"


def verdict(case):
    failed = [c["group"] for c in case.get("checks", []) if not c["passed"]]
    return "PASS" if not failed else "FAIL (" + ", ".join(failed) + ")"


def number(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def case_row(case):
    wrk, queries = case.get("wrk"), case.get("queries")
    busy = (case.get("background_busy") or 0) > BUSY_WARNING
    distinct = case.get("distinct_urls")
    return [
        case["name"] + (" (busy)" if busy else ""),
        "—" if distinct is None else f"{distinct:,}",
        number(wrk["requests_per_s"], 0) if wrk else "—",
        number(ms(wrk["latency_us"]["p50"])) if wrk else "—",
        number(ms(wrk["latency_us"]["p99"])) if wrk else "—",
        (f"{queries['warm_mean']:.1f} warm, {queries['mean']:.1f} cold (max {queries['max']})"
         if queries and "warm_mean" in queries else f"{queries['mean']:.1f} (max {queries['max']})" if queries else "—"),
        number(queries.get("uncached_ms_p50")) if queries else "—",
        _share(case.get("share")),
        number(sum(case["ceiling_beside"]) / len(case["ceiling_beside"]), 0) if case.get("ceiling_beside") else "—",
        writers_text(case["writers"]) if case.get("writers") else "—",
        target_text(case),
        verdict(case),
    ]


HEADERS = [
    "case", "distinct URLs", "req/s", "p50 ms", "p99 ms", "queries/request", "uncached ms", "of /healthz",
    "/healthz beside it", "writes beside it", "target", "result",
]  # fmt: skip
RIGHT = {1, 2, 3, 4, 6, 7, 8}


def markdown_table(headers, rows, right=frozenset()):
    """A Markdown table padded into columns, readable in a terminal too."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        padded = [
            str(cell).rjust(widths[i]) if i in right else str(cell).ljust(widths[i]) for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (widths[i] - 1) + ":" if i in right else "-" * widths[i] for i in range(len(headers))]
    return "\n".join([line(headers), "| " + " | ".join(rule) + " |", *(line(row) for row in rows)])


def cases_table(results):
    return markdown_table(HEADERS, [case_row(case) for case in results["cases"]], RIGHT)


def targets_table(results):
    rows = [
        ["PASS" if line["passed"] else "FAIL", line["target"], line["detail"]] for line in summarise(results["checks"])
    ]
    return markdown_table(["result", "target (issue 5 §3, issue 10 §4, issue 14 §5)", "measured"], rows)


def csv_table(results):
    rows = [
        [
            export["name"],
            export["url"],
            number(export.get("rows"), 0),
            number(export.get("seconds"), 2),
            number(export.get("rss_growth_mb")),
            export.get("error", ""),
        ]
        for export in results.get("csv") or []
    ]
    headers = ["export", "URL (as kurator)", "rows", "seconds", "worker RSS growth MB", "error"]
    return markdown_table(headers, rows, {2, 3, 4})


def failed_targets(results):
    return [line for line in summarise(results["checks"]) if not line["passed"]]


def page_ratio_line(results):
    by_name = {case["name"]: case.get("wrk") for case in results["cases"]}
    page, first = by_name.get(PAGE_CASE), by_name.get(FIRST_PAGE_CASE)
    if not page or not first:
        return ""
    return (
        f"page 1000 against page 1: p50 {page['latency_us']['p50'] / first['latency_us']['p50']:.2f}×, "
        f"req/s {page['requests_per_s'] / first['requests_per_s']:.2f}×"
    )


def busy_line(results):
    """Whether other work shared the machine: it would take CPU from the server and wrk."""
    measured = [case for case in results["cases"] if case.get("background_busy") is not None]
    if not measured:
        return ""
    worst = max(measured, key=lambda case: case["background_busy"])
    if worst["background_busy"] > BUSY_WARNING:
        return (
            f"**Warning: other work kept the CPU {worst['background_busy']:.0%} busy before {worst['name']}:** "
            "the cases marked (busy) shared the machine, and their figures are lower than it gives."
        )
    return f"The machine was quiet between cases (other work at most {worst['background_busy']:.0%} of the CPU)."


def priming_text(settings):
    threads = settings.get("prime_threads")
    if not threads:
        return "Pages measured without a priming pass."
    return (
        "Pages are measured warm, as a long-running server serves them: before each case but /healthz, one "
        f"priming pass requests each of the case's URLs once ({threads} threads, every answer must be 2xx; "
        "its time is under \"priming s\" in Cases), then wrk warms up and measures. The \"uncached ms\" column "
        "shows the cold server time of the same pages."
    )


def api_text(settings):
    """What the API's cases measure, and the rate limit their server ran with."""
    rate = settings.get("api_rate")
    if not rate:
        return ""
    return (
        "The cases named `api_…` (issue 14 §5) read the API's lists as a visitor, 50 rows a page: warm, from "
        "the shared cache keyed by the data version. `api_partnerships_deep` is the page at cursor position "
        "10,000 (its `cursor` walked to from the first page), measured as `api_partnerships`, the first page; "
        "warm, both come from the cache, and the \"uncached ms\" column shows their keyset queries cold. "
        "`api_partnerships_304` asks the first page with `If-None-Match:` the ETag of its warm answer, and "
        "every answer must be a 304. The lists' `+writes1` variants run beside 1 write a second: each write "
        "changes the data version, so each page is then read afresh once. The server's API limit per client "
        f"address (`KOPNET_API_RATE_ANON`) is raised to {rate}, so that wrk, one address, is never refused; "
        "the limiter still counts every request in the shared cache (a read and two writes each, more when "
        "wrk's connections race for a slot), and its cost is part of what is measured."
    )


def ceiling_beside_text(wrk):
    seconds = wrk.get("ceiling_beside")
    if not seconds:
        return "Each case's share is of the run's /healthz."
    return (
        f"The machine's speed drifts over a run, so /healthz is measured again beside each case ({seconds} right "
        f"before its warm-up, {seconds} right after its measurement): \"/healthz beside it\" is the mean of the "
        "two, and \"of /healthz\" the case's req/s as a share of it; the healthz row is the run's first measurement."
    )


def rounds_text(settings):
    rounds = settings.get("queries_rounds", 1)
    if rounds < 2:
        return ""
    return (
        f", in {rounds} rounds over all the cases (each round a share of every case's URLs, so that a slow "
        "minute of the machine weighs on every case alike)"
    )


def reference_text(reference):
    """The machine's speed beside the cold column, which is in milliseconds."""
    if not reference:
        return ""
    return (
        f" The machine's speed beside them: {reference['loop']:,} additions in Python took "
        f"{reference['before']:.0f} ms before the cold measurements and {reference['after']:.0f} ms after "
        "(the best of three each): the cold milliseconds of two runs compare only at like speeds."
    )


def render_markdown(results):
    """bench/RESULTS.md: the table, the targets, and what it was measured on."""
    machine, data, settings = results["machine"], results["data"], results["settings"]
    wrk = settings["wrk"]
    search = results.get("search") or {}
    failed = failed_targets(results)
    lines = [
        "# KopNet benchmark results",
        "",
        f"Measured {results['generated_at']} by `make bench` at commit `{results['commit']}`.",
        f"**{'Every target met.' if not failed else f'{len(failed)} of {len(TARGETS)} targets not met.'}**",
        "",
        "## Data",
        "",
        ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in data.items()) + ".",
        "",
        "## Results",
        "",
        priming_text(settings),
        "",
        f"wrk {wrk['connections']} connections, {wrk['threads']} threads, {wrk['warmup']} warm-up then "
        f"{wrk['duration']} measured per case; latencies as wrk saw them (client side). Queries per request "
        f"and uncached ms (median server time) over up to {settings['queries_sample']} of the "
        "case's URLs, taken at even steps over all of them (at least 5 requests)" + rounds_text(settings) + ", "
        "with Django's test client in one process: \"cold\" with the cache "
        "emptied before the request (the cold server time of the page, what a visitor meets after any write; "
        "the count includes the cache table's own reads and writes), \"warm\" the same URL right after "
        "(what the load test mostly meets)." + reference_text(results.get("reference_ms")),
        "",
        ceiling_beside_text(wrk),
        "",
        "A registry is written to all day: the cases named `+random` request their base case's URLs with "
        "a random extra parameter each (`?r=…`), those named `+writes1` and `+writes10` while "
        "bench/writers.py writes 1 and 10 times a second through the services (profile edits by an "
        "official and a curator, partnerships registered, confirmed and verified, cooperatives registered "
        "and verified); \"writes beside it\" counts them and their errors.",
        "",
        api_text(settings),
        "",
        cases_table(results),
        "",
        page_ratio_line(results),
        "",
        "## Targets",
        "",
        targets_table(results),
        "",
        "## CSV export",
        "",
        csv_table(results),
        "",
        "## Open data snapshot",
        "",
        open_data_line(results),
        "",
        (
            f"Name search server time (PostgreSQL's time for the search's queries on the cooperatives: the "
            f"matches with their count, the page's rows, their sectors): p50 {search['p50_ms']:.1f} ms, p90 "
            f"{search['p90_ms']:.1f} ms over {search['requests']} requests ({search['distinct_urls']} distinct "
            "texts), Django's test client in one process, every cache emptied before each request. The whole "
            f"page through Django, cold: p50 {search.get('page_p50_ms', float('nan')):.1f} ms, p90 "
            f"{search.get('page_p90_ms', float('nan')):.1f} ms (template and form included; the load test's "
            "searches meet cached pages)."
            if search
            else "Name search server time: not measured."
        ),
        "",
        "## Cases",
        "",
        markdown_table(
            ["case", "URLs", "what", "priming s", "CPU busy with other work before it"],
            [
                [
                    case["name"],
                    str(case["urls"]),
                    case.get("note") or case.get("example", ""),
                    number(case.get("prime_seconds")),
                    _share(case.get("background_busy")),
                ]
                for case in results["cases"]
            ],
            {3},
        ),
        "",
        busy_line(results),
        "",
        "## Machine and software",
        "",
        markdown_table(["", ""], [[key.replace("_", " "), str(value)] for key, value in machine.items()]),
        "",
        f"gunicorn: {settings['workers']} sync workers on 127.0.0.1:{settings['port']}, DEBUG=0, access log off; "
        f"{settings['workers_reason']}",
        "",
        f"Preparing (migrate, seed if needed, loadplaces, static files, translations, ANALYZE) took "
        f"{results['timings']['prepare_s']:.0f} s"
        + (f", seeding {results['timings']['seed_s']:.0f} s of it" if results["timings"].get("seed_s") else "")
        + f"; measuring {results['timings']['measure_s']:.0f} s."
        + places_sentence(results["timings"].get("places")),
        "",
    ]
    return "\n".join(lines) + faults_section()


def places_sentence(places):
    """What loadplaces did in this run (bench.run.code_regencies): at national scale,
    coding the seeded regencies is a deployment's one-off job, measured when it ran."""
    if not places:
        return ""
    if not places["coded"]:
        return f" loadplaces: {places['seconds']:.0f} s, no regency to code ({places['left']:,} left for a curator)."
    rate = places["coded"] / max(places["seconds"], 0.1)
    return (
        f" loadplaces coded {places['coded']:,} cooperatives' regencies in {places['seconds']:.0f} s "
        f"({rate:,.0f} a second; {places['left']:,} left for a curator)."
    )


FAULTS_HEADING = "## Faults (`make faults`)"


def faults_section():
    """The last `make faults` run (bench/FAULTS.md), kept in RESULTS.md by both commands."""
    faults = Path(__file__).resolve().parent / "FAULTS.md"
    if not faults.exists():
        return ""
    body = faults.read_text().split("\n", 1)[1].lstrip("\n")  # without its title
    return f"\n{FAULTS_HEADING}\n\n{body}"


def update_faults_section(results_path):
    """Replace RESULTS.md's faults section with the run bench/FAULTS.md now holds."""
    text = results_path.read_text() if results_path.exists() else "# KopNet benchmark results\n"
    text = text.split(f"\n{FAULTS_HEADING}\n", 1)[0].rstrip("\n") + "\n"
    results_path.write_text(text + faults_section())
