"""The benchmark's pure parts: wrk's figures, the targets, the tables (bench/report.py),
the priming pass (bench/prime.py) and the choice of database (bench/run.py).

`make bench` itself (wrk, gunicorn, PostgreSQL at scale) does not run in the suite.
"""

import http.server
import json
import socket
import threading
import types

import pytest

from bench import prime, queries, report, run

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8100
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    4.02ms  80.11ms   90.00%
  4000 requests in 10.00s, 40.00MB read
Requests/sec:    400.00
Transfer/sec:      4.00MB
BENCH_JSON {"requests": 4000, "duration_s": 10.000000, "requests_per_s": 400.000, "bytes": 41943040, \
"latency_us": {"mean": 12310.0, "p50": 11000, "p90": 16000, "p99": 30000, "max": 80110}, \
"expected": "2xx", "unexpected": 3, "unexpected_by_status": {"404": 3}, \
"socket_errors": {"connect": 0, "read": 2, "write": 0, "timeout": 1}}
"""


def figures(rps, p50_ms=10.0, p99_ms=20.0, unexpected=0, socket_errors=0, expected="2xx", status="404"):
    return {
        "requests": int(rps * 10),
        "duration_s": 10.0,
        "requests_per_s": rps,
        "bytes": 0,
        "latency_us": {
            "mean": p50_ms * 1000,
            "p50": p50_ms * 1000,
            "p90": p99_ms * 900,
            "p99": p99_ms * 1000,
            "max": p99_ms * 1000,
        },
        "expected": expected,
        "unexpected": unexpected,
        "unexpected_by_status": {status: unexpected} if unexpected else {},
        "socket_errors": {"connect": socket_errors, "read": 0, "write": 0, "timeout": 0},
        "socket_errors_total": socket_errors,
    }


def case(name, kind, wrk, **extra):
    return {
        "name": name,
        "kind": kind,
        "urls": 20,
        "distinct_urls": 20,
        "note": "",
        "example": "/",
        "wrk": wrk,
        "queries": {"mean": 4.0, "max": 5, "uncached_ms_p50": 12.0},
        **extra,
    }


def writers(rate, writes=None, errors=0, seconds=13.0):
    """bench/writers.py's tally: by default the asked rate over 13 s, without errors."""
    writes = round(rate * seconds) if writes is None else writes
    return {
        "rate": rate,
        "seconds": seconds,
        "writes": writes,
        "errors": errors,
        "achieved_rate": (writes + errors) / seconds,
        "write_ms_p50": 9.0,
        "write_ms_max": 40.0,
        "by_kind": {},
        "error_examples": ["party_confirm: ValidationError: stale"] if errors else [],
    }


def live(name, kind, wrk, rate=0):
    """A live-registry variant of coop_list_filtered (bench/cases.py's live_variants)."""
    extra = {"base": "coop_list_filtered", "queries": None}
    if rate:
        extra.update(writes_per_s=rate, writers=writers(rate))
    return case(name, kind, wrk, **extra)


def api_live(name, wrk, rate=1):
    """An API list's variant with writes (bench/cases.py's live_variants of API_LIVE_BASES)."""
    return case(name, "api_writes", wrk, base=name.split("+")[0], queries=None, writes_per_s=rate, writers=writers(rate))


def passing_results():
    """Every target met: healthz at 800 req/s, lists at 250 to 300, details at 400, the
    admin at 50, the API's lists at 400, its 304 at 700."""
    return {
        "generated_at": "2026-11-22 12:00 UTC",
        "commit": "abc1234",
        "data": {"cooperatives": 150000, "partnerships": 500000},
        "machine": {"cpu": "Test CPU", "cores": 2},
        "settings": {
            "workers": 4,
            "workers_reason": "two per core.",
            "port": 8100,
            "queries_sample": 20,
            "prime_threads": 4,
            "wrk": {"connections": 16, "threads": 2, "duration": "10s", "warmup": "3s"},
        },
        "timings": {"prepare_s": 5.0, "seed_s": None, "measure_s": 200.0},
        "cases": [
            case("healthz", "ceiling", figures(800, 5, 10)),
            case("coop_list", "list", figures(300, 20, 60)),
            case("coop_list_page1000", "list", figures(280, 22, 70)),
            case("coop_list_filtered", "list", figures(250, 25, 80)),
            case("statistics", "list", figures(300, 20, 60)),
            case("coop_detail_random", "detail", figures(400, 15, 40)),
            case("admin_coop_changelist", "admin", figures(50, 150, 300)),
            case("dashboard_busiest", "dashboard", figures(100, 40, 90)),
            live("coop_list_filtered+random", "random", figures(330, 20, 150)),
            live("coop_list_filtered+writes1", "writes", figures(250, 25, 95), rate=1),
            live("coop_list_filtered+writes10", "writes", figures(210, 30, 400), rate=10),
            case("api_cooperatives", "api", figures(400, 12, 40)),
            case("api_partnerships", "api", figures(400, 12, 40)),
            case("api_partnerships_deep", "api", figures(380, 13, 45)),
            case("api_partnerships_304", "api_304", figures(700, 6, 20, expected="304"), expect=304),
            api_live("api_partnerships+writes1", figures(300, 15, 120)),
        ],
        "csv": [
            {
                "name": "csv_all",
                "url": "/koperasi/?format=csv",
                "rows_expected": 150000,
                "rows": 150000,
                "seconds": 6.0,
                "rss_growth_mb": 8.0,
            },
            {
                "name": "csv_one_province",
                "url": "/koperasi/?format=csv&province=31",
                "rows_expected": 7000,
                "rows": 7000,
                "seconds": 0.4,
                "rss_growth_mb": 6.0,
            },
        ],
        "search": {"requests": 60, "distinct_urls": 60, "p50_ms": 12.0, "p90_ms": 18.0, "max_ms": 30.0},
        "open_data": {
            "seconds": 95.0, "peak_rss_mb": 140.0, "size_mb": 310.0,
            "rows": {"cooperatives": 250_000, "partnerships": 1_000_000},
        },  # fmt: skip
        "seeding": {"seconds": 156.2, "at": "2026-12-04 10:00 UTC", "commit": "abc1234", "this_run": True},
    }


def failed_groups(results):
    report.evaluate(results)
    return {line["group"] for line in report.failed_targets(results)}


def by_name(results, name):
    return next(c for c in results["cases"] if c["name"] == name)


# --- wrk's output -----------------------------------------------------------------


def test_parse_wrk_output_reads_the_lua_line_among_wrks_own_output():
    parsed = report.parse_wrk_output(WRK_OUTPUT)

    assert parsed["requests_per_s"] == 400.0
    assert parsed["latency_us"]["p99"] == 30000
    assert parsed["expected"] == "2xx"
    assert parsed["unexpected"] == 3
    assert parsed["unexpected_by_status"] == {"404": 3}
    assert parsed["socket_errors_total"] == 3


def test_parse_wrk_output_without_the_lua_line_is_an_error():
    with pytest.raises(ValueError, match="BENCH_JSON"):
        report.parse_wrk_output("Running 10s test @ http://127.0.0.1:8100\nRequests/sec: 1.00\n")


# --- targets ----------------------------------------------------------------------


def test_results_that_meet_every_target_pass_every_target():
    results = passing_results()

    assert failed_groups(results) == set()
    assert by_name(results, "coop_list")["share"] == pytest.approx(0.375)
    assert all(report.verdict(c) == "PASS" for c in results["cases"])


def test_a_case_answering_404s_fails_loudly_whatever_its_speed():
    results = passing_results()
    by_name(results, "coop_detail_random")["wrk"] = figures(900, 1, 2, unexpected=5)

    assert failed_groups(results) == {"answers"}
    assert report.verdict(by_name(results, "coop_detail_random")) == "FAIL (answers)"


def test_socket_errors_fail_the_case():
    results = passing_results()
    by_name(results, "coop_list")["wrk"] = figures(300, 20, 60, socket_errors=1)

    assert failed_groups(results) == {"answers"}


def test_a_case_wrk_could_not_measure_fails():
    results = passing_results()
    coop_list = by_name(results, "coop_list")
    del coop_list["wrk"]
    coop_list["error"] = "wrk failed (1): connection refused"

    assert "answers" in failed_groups(results)


def test_a_case_where_no_request_completed_fails_instead_of_passing_on_zero_latencies():
    results = passing_results()
    by_name(results, "coop_detail_random")["wrk"] = figures(0, 0, 0)

    # The only detail case of these results: the detail targets are not measured either.
    assert failed_groups(results) == {"answers", "detail_share", "detail_p99"}
    assert report.verdict(by_name(results, "coop_detail_random")) == "FAIL (answers)"


def test_a_list_under_a_fifth_of_healthz_fails_and_a_detail_under_thirty_percent_fails():
    results = passing_results()
    by_name(results, "coop_list_filtered")["wrk"] = figures(159, 25, 80)  # 19.9 %
    by_name(results, "coop_detail_random")["wrk"] = figures(239, 15, 40)  # 29.9 %

    assert failed_groups(results) == {"list_share", "detail_share"}


def test_p99_limits_are_100_ms_for_lists_and_50_ms_for_details():
    results = passing_results()
    by_name(results, "coop_list_filtered")["wrk"] = figures(250, 25, 100)
    by_name(results, "coop_detail_random")["wrk"] = figures(400, 15, 50)
    assert failed_groups(results) == set()

    by_name(results, "coop_list_filtered")["wrk"] = figures(250, 25, 101)
    by_name(results, "coop_detail_random")["wrk"] = figures(400, 15, 51)
    assert failed_groups(results) == {"list_p99", "detail_p99"}


def test_page_1000_fails_when_its_p50_is_over_one_and_a_half_times_page_1s():
    results = passing_results()
    by_name(results, "coop_list_page1000")["wrk"] = figures(290, 31, 70)

    assert failed_groups(results) == {"page1000"}


def test_page_1000_fails_when_its_throughput_is_under_page_1s_divided_by_one_and_a_half():
    results = passing_results()
    by_name(results, "coop_list_page1000")["wrk"] = figures(190, 20, 70)  # page 1: 300 req/s, floor 200

    assert failed_groups(results) == {"page1000"}


def test_the_public_list_must_be_three_times_the_admin_changelist():
    results = passing_results()
    by_name(results, "admin_coop_changelist")["wrk"] = figures(90, 150, 300)  # public: 250 req/s

    assert failed_groups(results) == {"admin"}


def test_a_slow_name_search_fails():
    results = passing_results()
    results["search"]["p50_ms"] = 20.5

    assert failed_groups(results) == {"search"}


def test_a_seeding_over_three_minutes_fails():
    results = passing_results()
    results["seeding"]["seconds"] = 181.0

    assert failed_groups(results) == {"seed"}


def test_the_seeding_of_reused_data_is_judged_and_says_when_it_was_made():
    results = passing_results()
    results["seeding"]["this_run"] = False
    assert failed_groups(results) == set()
    line = next(line for line in report.summarise(results["checks"]) if line["group"] == "seed")
    assert line["detail"] == "seed_scale: 156 s, when the data was made, 2026-12-04 10:00 UTC at abc1234"

    results["seeding"] = None  # made before its time was kept
    assert failed_groups(results) == {"seed"}


def test_a_csv_export_over_ten_seconds_fails():
    results = passing_results()
    results["csv"][0]["seconds"] = 10.5

    assert failed_groups(results) == {"csv_time"}


def test_csv_memory_that_grows_with_the_rows_fails():
    results = passing_results()
    results["csv"][0]["rss_growth_mb"] = 300.0

    assert failed_groups(results) == {"csv_memory"}


def test_a_csv_export_missing_rows_fails():
    results = passing_results()
    results["csv"][0]["rows"] = 149_999

    assert failed_groups(results) == {"answers"}


def test_an_open_data_snapshot_over_two_minutes_or_300_mb_fails():
    results = passing_results()
    results["open_data"] |= {"seconds": 121.0, "peak_rss_mb": 301.0}

    assert failed_groups(results) == {"open_data_time", "open_data_memory"}


def test_an_open_data_snapshot_that_failed_or_was_not_measured_fails():
    results = passing_results()
    results["open_data"] = {"seconds": 3.0, "peak_rss_mb": 100.0, "error": "exit status 1"}
    assert failed_groups(results) == {"open_data_time", "open_data_memory"}

    del results["open_data"]
    assert failed_groups(results) == {"open_data_time", "open_data_memory"}


def test_targets_not_measured_fail():
    results = passing_results()
    results["search"] = None
    results["csv"] = []

    assert failed_groups(results) == {"search", "csv_time", "csv_memory"}


def test_a_failed_target_names_the_worst_case_first():
    results = passing_results()
    by_name(results, "coop_list")["wrk"] = figures(150, 20, 60)
    by_name(results, "coop_list_filtered")["wrk"] = figures(50, 25, 80)
    report.evaluate(results)

    line = next(line for line in report.failed_targets(results) if line["group"] == "list_share")
    assert line["detail"].startswith("coop_list_filtered: 6% of /healthz; coop_list: 19%")


def test_cold_pages_over_their_limits_fail_lists_at_60_details_at_30_statistics_at_100_ms():
    results = passing_results()
    for name, cold in (("coop_list", 60.0), ("coop_detail_random", 30.0), ("statistics", 100.0)):
        by_name(results, name)["queries"]["uncached_ms_p50"] = cold
    assert failed_groups(results) == set()

    by_name(results, "coop_list_filtered")["queries"]["uncached_ms_p50"] = 60.1
    by_name(results, "coop_detail_random")["queries"]["uncached_ms_p50"] = 30.1
    by_name(results, "statistics")["queries"]["uncached_ms_p50"] = 100.1
    assert failed_groups(results) == {"cold_list", "cold_detail", "cold_statistics"}


def test_a_public_page_whose_cold_time_was_not_measured_fails_and_the_admin_has_no_cold_limit():
    results = passing_results()
    by_name(results, "admin_coop_changelist")["queries"]["uncached_ms_p50"] = 900.0
    assert failed_groups(results) == set()

    by_name(results, "coop_detail_random")["queries"] = None
    by_name(results, "coop_detail_random")["queries_error"] = "/koperasi/x/ answered 500, not 2xx"
    report.evaluate(results)
    line = next(line for line in report.failed_targets(results) if line["group"] == "cold_detail")
    assert "answered 500" in line["detail"]


def test_the_busiest_officials_dashboard_fails_over_50_ms_and_has_no_share_target():
    results = passing_results()
    by_name(results, "dashboard_busiest")["wrk"] = figures(5, 400, 900)  # slow under load: no target
    by_name(results, "dashboard_busiest")["queries"]["uncached_ms_p50"] = 50.0
    assert failed_groups(results) == set()

    by_name(results, "dashboard_busiest")["queries"]["uncached_ms_p50"] = 50.1
    assert failed_groups(results) == {"dashboard"}
    by_name(results, "dashboard_busiest")["queries"] = None
    assert failed_groups(results) == {"dashboard"}


# --- the live registry: writers beside a case, random parameters (issue 10 §4) --------


def test_with_one_write_a_second_a_public_case_needs_thirty_percent_and_p99_under_100_ms():
    results = passing_results()
    by_name(results, "coop_list_filtered+writes1")["wrk"] = figures(240, 25, 100)  # exactly 30 %, 100 ms
    assert failed_groups(results) == set()

    by_name(results, "coop_list_filtered+writes1")["wrk"] = figures(239, 25, 101)
    assert failed_groups(results) == {"writes1_share", "writes1_p99"}
    assert report.verdict(by_name(results, "coop_list_filtered+writes1")) == "FAIL (writes1_share, writes1_p99)"


def test_with_ten_writes_a_second_a_public_case_needs_a_quarter_and_no_p99_limit():
    results = passing_results()
    by_name(results, "coop_list_filtered+writes10")["wrk"] = figures(200, 40, 900)  # 25 %
    assert failed_groups(results) == set()

    by_name(results, "coop_list_filtered+writes10")["wrk"] = figures(199, 40, 900)
    assert failed_groups(results) == {"writes10_share"}


def test_with_a_random_parameter_a_public_case_needs_forty_percent():
    results = passing_results()
    by_name(results, "coop_list_filtered+random")["wrk"] = figures(320, 20, 150)
    assert failed_groups(results) == set()

    by_name(results, "coop_list_filtered+random")["wrk"] = figures(319, 20, 150)
    assert failed_groups(results) == {"random_share"}


def test_a_variant_is_judged_by_its_own_targets_not_its_base_cases():
    results = passing_results()
    # Over the list's 100 ms p99 and under the detail's 30 %: neither applies to a variant.
    by_name(results, "coop_list_filtered+random")["wrk"] = figures(330, 20, 500)
    by_name(results, "coop_list_filtered+random")["kind"] = "random"

    assert failed_groups(results) == set()


def test_a_writer_error_fails_the_case_whatever_its_speed():
    results = passing_results()
    by_name(results, "coop_list_filtered+writes10")["writers"] = writers(10, writes=129, errors=1)

    assert failed_groups(results) == {"writers"}
    line = next(line for line in report.failed_targets(results) if line["group"] == "writers")
    assert line["detail"] == (
        "coop_list_filtered+writes10: 129 writes, 1 error, 10.0/s (party_confirm: ValidationError: stale)"
    )
    assert report.verdict(by_name(results, "coop_list_filtered+writes10")) == "FAIL (writers)"


def test_writers_that_fell_behind_the_asked_rate_fail_the_case():
    results = passing_results()
    by_name(results, "coop_list_filtered+writes10")["writers"] = writers(10, writes=117)  # 9.0/s: 90 %
    assert failed_groups(results) == set()

    by_name(results, "coop_list_filtered+writes10")["writers"] = writers(10, writes=116)
    assert failed_groups(results) == {"writers"}


def test_writers_that_reported_nothing_fail_the_case():
    results = passing_results()
    case = by_name(results, "coop_list_filtered+writes1")
    del case["writers"]
    case["writers_error"] = "bench.writers did not stop within 120 s"

    assert failed_groups(results) == {"writers"}


def test_every_live_target_is_in_the_targets_table():
    results = passing_results()
    report.evaluate(results)

    table = report.targets_table(results)

    for text in (
        "with 1 write/s every public case ≥ 30% of /healthz req/s",
        "with 1 write/s every public case p99 ≤ 100 ms",
        "with 10 writes/s every public case ≥ 25% of /healthz req/s",
        "with a random extra parameter every public case ≥ 40% of /healthz req/s",
        "the writers made every write without an error, at ≥ 90% of the asked rate",
    ):
        assert f"| PASS   | {text}" in table


def test_live_targets_not_measured_fail():
    results = passing_results()
    results["cases"] = [c for c in results["cases"] if not c.get("base")]

    assert failed_groups(results) == {
        "writes1_share", "writes1_p99", "writes10_share", "random_share", "writers", "api_writes1_share",
    }  # fmt: skip


def test_parse_writers_output_reads_their_last_line_and_refuses_none():
    tally = writers(10)
    assert report.parse_writers_output("READY\n" + report.WRITERS_MARKER + json.dumps(tally) + "\n") == tally
    with pytest.raises(ValueError, match="WRITERS_JSON"):
        report.parse_writers_output("READY\n")


def test_the_live_variants_of_the_chosen_public_cases_come_after_them_in_order():
    from bench.cases import Case, live_variants

    cases = [
        Case("healthz", "ceiling", ["/healthz"]),
        Case("home", "list", ["/"]),
        Case("coop_list", "list", ["/koperasi/"]),
        Case("coop_detail_random", "detail", ["/koperasi/a/", "/koperasi/b/"]),
    ]

    variants = live_variants(cases, bases=("home", "coop_detail_random"))

    assert [(v.name, v.kind, v.base, v.writes_per_s, v.random_param) for v in variants] == [
        ("home+random", "random", "home", 0, True),
        ("coop_detail_random+random", "random", "coop_detail_random", 0, True),
        ("home+writes1", "writes", "home", 1, False),
        ("coop_detail_random+writes1", "writes", "coop_detail_random", 1, False),
        ("home+writes10", "writes", "home", 10, False),
        ("coop_detail_random+writes10", "writes", "coop_detail_random", 10, False),
    ]
    assert variants[1].urls == ["/koperasi/a/", "/koperasi/b/"]


# --- the API (issue 14 §5) -------------------------------------------------------


def test_an_api_list_needs_forty_percent_of_healthz_and_has_no_p99_limit():
    results = passing_results()
    by_name(results, "api_cooperatives")["wrk"] = figures(320, 12, 900)  # exactly 40 %
    assert failed_groups(results) == set()

    by_name(results, "api_cooperatives")["wrk"] = figures(319, 12, 40)
    assert failed_groups(results) == {"api_share"}
    assert report.verdict(by_name(results, "api_cooperatives")) == "FAIL (api_share)"


def test_with_one_write_a_second_an_api_list_needs_thirty_percent_and_its_writers_no_error():
    results = passing_results()
    by_name(results, "api_partnerships+writes1")["wrk"] = figures(240, 15, 900)  # 30 %, no p99 limit
    assert failed_groups(results) == set()

    by_name(results, "api_partnerships+writes1")["wrk"] = figures(239, 15, 40)
    assert failed_groups(results) == {"api_writes1_share"}  # the pages' writes1 targets are not the API's

    by_name(results, "api_partnerships+writes1")["wrk"] = figures(300, 15, 40)
    by_name(results, "api_partnerships+writes1")["writers"] = writers(1, writes=12, errors=1)
    assert failed_groups(results) == {"writers"}


def test_the_deep_api_page_must_be_within_1_2_times_the_first_pages_p50_and_req_s():
    results = passing_results()  # the first page: 400 req/s, p50 12 ms
    by_name(results, "api_partnerships_deep")["wrk"] = figures(334, 14.4, 45)
    assert failed_groups(results) == set()

    by_name(results, "api_partnerships_deep")["wrk"] = figures(400, 14.5, 45)
    assert failed_groups(results) == {"api_deep"}
    by_name(results, "api_partnerships_deep")["wrk"] = figures(333, 12, 45)
    assert failed_groups(results) == {"api_deep"}
    line = next(line for line in report.failed_targets(results) if line["group"] == "api_deep")
    assert line["detail"] == (
        "api_partnerships_deep: p50 1.00× the first page's, req/s 0.83× its; cold 12.0 ms against 12.0 ms"
    )


def test_the_deep_api_page_fails_when_the_first_page_was_not_measured():
    results = passing_results()
    first = by_name(results, "api_partnerships")
    del first["wrk"]
    first["error"] = "wrk failed (1)"

    assert failed_groups(results) == {"answers", "api_deep"}


def test_a_304_needs_eighty_percent_of_healthz():
    results = passing_results()
    by_name(results, "api_partnerships_304")["wrk"] = figures(640, 6, 20, expected="304")
    assert failed_groups(results) == set()

    by_name(results, "api_partnerships_304")["wrk"] = figures(639, 6, 20, expected="304")
    assert failed_groups(results) == {"api_304_share"}


def test_a_304_case_that_measured_200s_fails_however_fast():
    results = passing_results()
    by_name(results, "api_partnerships_304")["wrk"] = figures(
        790, 6, 20, unexpected=7900, expected="304", status="200"
    )  # fmt: skip
    assert failed_groups(results) == {"answers"}
    line = next(line for line in report.failed_targets(results) if line["group"] == "answers")
    assert line["detail"] == (
        "api_partnerships_304: 7900 answers not 304 {'200': 7900} and 0 socket errors in 7,900 requests"
    )

    # wrk counted 2xx as right, not 304: the case did not check what it measured.
    by_name(results, "api_partnerships_304")["wrk"] = figures(790, 6, 20)
    assert failed_groups(results) == {"answers"}
    assert report.verdict(by_name(results, "api_partnerships_304")) == "FAIL (answers)"


def test_api_targets_not_measured_fail():
    results = passing_results()
    results["cases"] = [c for c in results["cases"] if not c["name"].startswith("api_")]

    assert failed_groups(results) == {"api_share", "api_writes1_share", "api_deep", "api_304_share"}


def test_the_api_targets_are_in_the_targets_table_and_the_cases_table():
    results = passing_results()
    results["settings"]["api_rate"] = "100000000/m"
    report.evaluate(results)

    table = report.targets_table(results)
    for text in (
        "every API list ≥ 40% of /healthz req/s",
        "with 1 write/s every API list ≥ 30% of /healthz req/s",
        "the API page at cursor position 10,000 ≤ 1.2× the first page (p50) and ≥ its req/s ÷ 1.2",
        "an API page's 304 (If-None-Match) ≥ 80% of /healthz req/s",
    ):
        assert f"| PASS   | {text}" in table
    rows = {line.split("|")[1].strip(): line for line in report.cases_table(results).splitlines()[2:]}
    assert [cell.strip() for cell in rows["api_partnerships_304"].split("|")[1:-1]][7:] == [
        "88%", "—", "—", "≥80%; every answer 304", "PASS",
    ]  # fmt: skip
    assert rows["api_partnerships_deep"].split("|")[-3].strip() == "≥40%; ≤1.2× the first page"
    assert rows["api_partnerships+writes1"].split("|")[-3].strip() == "≥30%; writers without errors"
    markdown = report.render_markdown(results)
    assert "(`KOPNET_API_RATE_ANON`) is raised to 100000000/m" in markdown
    assert "its cost is part of what is measured" in markdown


def test_the_api_lists_variants_are_with_one_write_a_second_only_and_judged_as_the_apis():
    from bench.cases import API_LIVE_BASES, Case, live_variants
    from bench.report import API_WRITE_RATES

    cases = [
        Case("healthz", "ceiling", ["/healthz"]),
        Case("api_cooperatives", "api", ["/api/v1/cooperatives/?limit=50"]),
        Case("api_partnerships", "api", ["/api/v1/partnerships/?limit=50"]),
        Case("api_partnerships_304", "api_304", ["/api/v1/partnerships/?limit=50"], expect=304),
    ]

    variants = live_variants(cases, bases=API_LIVE_BASES, rates=API_WRITE_RATES, random_param=False)

    assert [(v.name, v.kind, v.base, v.writes_per_s, v.random_param, v.expect) for v in variants] == [
        ("api_cooperatives+writes1", "api_writes", "api_cooperatives", 1, False, 0),
        ("api_partnerships+writes1", "api_writes", "api_partnerships", 1, False, 0),
    ]


# --- tables -----------------------------------------------------------------------


def test_markdown_table_pads_columns_and_right_aligns_numbers():
    table = report.markdown_table(["case", "req/s"], [["healthz", "1,000"], ["coop_list", "30"]], right={1})

    assert table.splitlines() == [
        "| case      | req/s |",
        "| --------- | ----: |",
        "| healthz   | 1,000 |",
        "| coop_list |    30 |",
    ]


def test_cases_table_has_a_row_per_case_with_its_ratio_to_healthz_and_verdict():
    results = passing_results()
    by_name(results, "coop_list_filtered")["wrk"] = figures(100, 25, 80)
    report.evaluate(results)

    rows = {line.split("|")[1].strip(): line for line in report.cases_table(results).splitlines()[2:]}

    assert set(rows) == {c["name"] for c in results["cases"]}
    cells = [cell.strip() for cell in rows["coop_list_filtered"].split("|")[1:-1]]
    assert cells == [
        "coop_list_filtered", "20", "100", "25.0", "80.0", "4.0 (max 5)", "12.0", "12%", "—", "—",
        "≥20%, p99 ≤100 ms", "FAIL (list_share)",
    ]  # fmt: skip
    cells = [cell.strip() for cell in rows["coop_list_filtered+writes1"].split("|")[1:-1]]
    assert cells == [
        "coop_list_filtered+writes1", "20", "250", "25.0", "95.0", "—", "—", "31%", "—",
        "13 writes, 0 errors, 1.0/s", "≥30%, p99 ≤100 ms; writers without errors", "PASS",
    ]  # fmt: skip
    random_cells = [cell.strip() for cell in rows["coop_list_filtered+random"].split("|")[1:-1]]
    assert random_cells[7:] == ["41%", "—", "—", "≥40%", "PASS"]


def test_a_cases_share_is_of_the_healthz_measured_beside_it_when_there_is_one():
    """The machine's speed drifts over a run: /healthz measured right before and after a
    case (bench/run.py) is its ceiling, not the run's first /healthz (800 req/s here)."""
    results = passing_results()
    by_name(results, "coop_list_filtered+random")["ceiling_beside"] = [1000.0, 900.0]  # 330 req/s: 35%
    by_name(results, "coop_detail_random")["ceiling_beside"] = [600.0, 700.0]  # 400 req/s: 62%

    assert failed_groups(results) == {"random_share"}
    assert by_name(results, "coop_list_filtered+random")["share"] == pytest.approx(330 / 950)
    assert by_name(results, "coop_detail_random")["share"] == pytest.approx(400 / 650)
    assert by_name(results, "coop_list")["share"] == pytest.approx(300 / 800)  # none beside it: the run's
    results["settings"]["wrk"]["ceiling_beside"] = "3s"
    assert "/healthz is measured again beside each case (3s right before" in report.render_markdown(results)
    rows = {line.split("|")[1].strip(): line for line in report.cases_table(results).splitlines()[2:]}
    cells = [cell.strip() for cell in rows["coop_list_filtered+random"].split("|")[1:-1]]
    assert cells[7:9] == ["35%", "950"]


def test_results_markdown_holds_the_table_targets_machine_and_commit():
    results = passing_results()
    report.evaluate(results)

    markdown = report.render_markdown(results)

    assert "Every target met." in markdown
    assert "`abc1234`" in markdown
    assert "| Test CPU" in markdown
    assert report.cases_table(results) in markdown
    assert report.targets_table(results) in markdown
    assert "page 1000 against page 1: p50 1.10×, req/s 0.93×" in markdown
    assert "Each case's share is of the run's /healthz." in markdown  # measured without the ceiling beside it
    json.dumps(results)  # results.json is written from the same dict


def test_results_markdown_gives_the_machines_speed_and_the_cold_rounds_when_measured():
    results = passing_results()
    report.evaluate(results)
    assert "additions in Python took" not in report.render_markdown(results)

    results["reference_ms"] = {"loop": 5_000_000, "before": 301.4, "after": 512.6}
    results["settings"]["queries_rounds"] = 3

    markdown = report.render_markdown(results)
    assert "5,000,000 additions in Python took 301 ms before the cold measurements and 513 ms after" in markdown
    assert "in 3 rounds over all the cases" in markdown


def test_results_markdown_says_what_loadplaces_coded_when_it_ran():
    results = passing_results()
    report.evaluate(results)
    markdown = report.render_markdown(results)
    assert "loadplaces coded" not in markdown and "loadplaces:" not in markdown  # results from before it was measured

    results["timings"]["places"] = {"seconds": 185.0, "coded": 247_365, "left": 2_633}
    assert (
        "loadplaces coded 247,365 cooperatives' regencies in 185 s (1,337 a second; 2,633 left for a curator)."
        in report.render_markdown(results)
    )
    results["timings"]["places"] = {"seconds": 4.2, "coded": 0, "left": 2_633}
    assert "loadplaces: 4 s, no regency to code (2,633 left for a curator)." in report.render_markdown(results)


def test_the_cold_sample_is_spread_over_the_whole_case():
    urls = [f"/u{i}" for i in range(60)]

    assert queries.spread(urls, 20) == urls[::3]
    assert queries.spread(urls, 30) == urls[::2]
    assert queries.spread(urls[:7], 20) == urls[:7]
    assert len(set(queries.spread([f"/u{i}" for i in range(500)], 30))) == 30


def test_the_cold_measurements_go_round_the_cases_and_an_error_stops_only_its_case(monkeypatch):
    requested = []

    def measure_cold(client, url, figures):
        requested.append(url)
        if url == "/b/4":
            raise RuntimeError("/b/4 answered 500, not 2xx")
        figures["times"].append(float(url.rsplit("/", 1)[1]))
        figures["counts"].append(3)
        figures["warm"].append(1)

    monkeypatch.setattr(queries, "client_for", lambda case: None)
    monkeypatch.setattr(queries, "measure_cold", measure_cold)
    cases = [types.SimpleNamespace(name=name, urls=[f"/{name}/{i}" for i in range(6)]) for name in "abc"]

    costs = queries.queries_per_request(cases, sample=6, rounds=3)

    # Each round a third of every case's URLs, the cases in turn; b stops at its error.
    assert requested == [
        "/a/0", "/a/3", "/b/0", "/b/3", "/c/0", "/c/3",
        "/a/1", "/a/4", "/b/1", "/b/4", "/c/1", "/c/4",
        "/a/2", "/a/5", "/c/2", "/c/5",
    ]  # fmt: skip
    assert costs["a"]["uncached_ms_p50"] == costs["c"]["uncached_ms_p50"] == 2.5
    assert costs["a"]["requests"] == 6 and costs["a"]["mean"] == 3 and costs["a"]["warm_mean"] == 1
    assert str(costs["b"]) == "/b/4 answered 500, not 2xx"


def test_a_case_of_few_urls_repeats_them_for_at_least_five_cold_requests(monkeypatch):
    requested = []

    def measure_cold(client, url, figures):
        requested.append(url)
        figures["times"].append(1.0)
        figures["counts"].append(9)
        figures["warm"].append(1)

    monkeypatch.setattr(queries, "client_for", lambda case: None)
    monkeypatch.setattr(queries, "measure_cold", measure_cold)

    costs = queries.queries_per_request([types.SimpleNamespace(name="home", urls=["/"])])

    assert requested == ["/"] * 5 and costs["home"]["requests"] == 5


def test_other_work_on_the_machine_between_cases_is_warned_of():
    results = passing_results()
    by_name(results, "healthz")["background_busy"] = 0.02
    by_name(results, "coop_list")["background_busy"] = 0.40

    assert report.busy_line(results).startswith("**Warning: other work kept the CPU 40% busy before coop_list")
    assert "| coop_list (busy) " in report.cases_table(results)

    by_name(results, "coop_list")["background_busy"] = 0.05
    assert report.busy_line(results).startswith("The machine was quiet")


def test_cases_table_shows_each_cases_distinct_urls():
    results = passing_results()
    by_name(results, "healthz")["distinct_urls"] = 1
    by_name(results, "coop_detail_random")["distinct_urls"] = 500
    report.evaluate(results)

    lines = report.cases_table(results).splitlines()
    assert [cell.strip() for cell in lines[0].split("|")[1:3]] == ["case", "distinct URLs"]
    cells = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in lines[2:]}
    assert cells["healthz"] == "1"
    assert cells["coop_detail_random"] == "500"


def test_results_markdown_says_pages_are_measured_warm_and_shows_each_priming_time():
    results = passing_results()
    by_name(results, "coop_detail_random")["prime_seconds"] = 12.34
    report.evaluate(results)

    markdown = report.render_markdown(results)

    assert "Pages are measured warm" in markdown
    assert "one priming pass requests each of the case's URLs once (4 threads" in markdown
    assert 'The "uncached ms" column shows the cold server time of the same pages.' in markdown
    cases_section = markdown.split("## Cases")[1]
    assert "| priming s |" in cases_section
    row = next(line for line in cases_section.splitlines() if line.startswith("| coop_detail_random "))
    assert "12.3" in row
    row = next(line for line in cases_section.splitlines() if line.startswith("| healthz "))
    assert "—" in row  # the ceiling is not primed


# --- the priming pass -------------------------------------------------------------


class FakeServer:
    """Answers prime.prime's requests from a dict of path -> status (200 when absent)."""

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.requested = []
        self.lock = threading.Lock()

    def get(self, url, cookie):
        with self.lock:
            self.requested.append((url, cookie))
        return self.answers.get(url.removeprefix("http://bench"), 200)


def test_priming_requests_each_distinct_url_once_with_the_cookie(monkeypatch):
    # The pass reads the clock when it starts and when its last answer came, and no more.
    clock = iter([100.0, 102.5])
    monkeypatch.setattr(prime, "time", types.SimpleNamespace(perf_counter=lambda: next(clock)))
    server = FakeServer()
    paths = ["/koperasi/a/", "/koperasi/b/", "/koperasi/a/", "/koperasi/c/"]

    primed = prime.prime("http://bench", paths, "sessionid=abc", get=server.get)

    assert sorted(server.requested) == [
        ("http://bench/koperasi/a/", "sessionid=abc"),
        ("http://bench/koperasi/b/", "sessionid=abc"),
        ("http://bench/koperasi/c/", "sessionid=abc"),
    ]
    assert primed["requests"] == 3
    assert primed["failures"] == []
    assert primed["seconds"] == 2.5


def test_priming_reports_every_answer_that_is_not_2xx_in_the_order_of_the_urls():
    server = FakeServer({"/b": 404, "/c": 302, "/d": "URLError: timed out", "/e": 204})

    primed = prime.prime("http://bench", ["/a", "/b", "/c", "/d", "/e"], get=server.get)

    assert primed["failures"] == [("/b", 404), ("/c", 302), ("/d", "URLError: timed out")]


def test_priming_failure_text_counts_the_failures_and_names_the_first_few():
    primed = {"requests": 500, "failures": [(f"/p/{i}/", 404) for i in range(5)]}

    assert prime.failure_text(primed) == (
        "priming: 5 of 500 URLs not 2xx: /p/0/ answered 404; /p/1/ answered 404; /p/2/ answered 404; and 2 more"
    )


@pytest.fixture
def http_server():
    """A server on a free local port: /ok answers 200, /moved redirects to /ok, else 404;
    /etag answers 200 with ETag "v1" and 304 to If-None-Match: "v1", /etag-ignored 200
    with that ETag whatever it is sent."""

    class Handler(http.server.BaseHTTPRequestHandler):
        cookies = []

        def do_GET(self):
            Handler.cookies.append(self.headers.get("Cookie"))
            status = {"/ok": 200, "/moved": 302, "/etag": 200, "/etag-ignored": 200}.get(self.path, 404)
            if self.path == "/etag" and self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/ok")
            if self.path.startswith("/etag"):
                self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Handler.cookies
    server.shutdown()
    server.server_close()


def test_fetch_returns_the_status_without_following_redirects(http_server):
    base_url, cookies = http_server

    assert prime.fetch(base_url + "/ok", "sessionid=abc") == 200
    # The admin sends a signed-out curator to its login page, which answers 200.
    assert prime.fetch(base_url + "/moved") == 302
    assert prime.fetch(base_url + "/missing") == 404
    assert cookies == ["sessionid=abc", None, None]


def test_the_304_cases_header_is_the_etag_the_server_answers_304_to(http_server):
    base_url, cookies = http_server

    assert run.not_modified_header(base_url + "/etag", "sessionid=abc") == 'If-None-Match: "v1"'
    assert cookies == ["sessionid=abc", "sessionid=abc"]
    # A URL whose ETag does not make a 304, or that gives none: the case cannot measure 304s.
    with pytest.raises(RuntimeError, match='answered 200 to If-None-Match: "v1", not 304'):
        run.not_modified_header(base_url + "/etag-ignored")
    with pytest.raises(RuntimeError, match="answered 200 without an ETag"):
        run.not_modified_header(base_url + "/ok")


def test_wrk_sends_the_cases_headers_and_checks_its_expected_status(monkeypatch, tmp_path):
    ran = []

    def fake_run(command, **kwargs):
        ran.append(command)
        return types.SimpleNamespace(returncode=0, stdout=WRK_OUTPUT, stderr="")

    monkeypatch.setattr(run.subprocess, "run", fake_run)
    config = run.Config({})
    urls = tmp_path / "urls.txt"

    run.wrk(config, "3s", urls, "", headers=['If-None-Match: "v1"'], expect=304)
    run.wrk(config, "3s", urls, "sessionid=abc", random_param=True)

    with_header, plain = ran
    assert with_header[with_header.index("-H") + 1] == 'If-None-Match: "v1"'
    assert with_header.index("-H") < with_header.index("-s")  # wrk's options, before the script's arguments
    assert with_header[-4:] == [str(urls), "", "", "304"]
    assert "-H" not in plain and plain[-4:] == [str(urls), "sessionid=abc", "random", ""]


def test_the_server_raises_the_apis_limit_per_address_for_wrk_which_still_counts():
    env = run.server_environment(run.Config({}))

    assert env["KOPNET_API_RATE_ANON"] == run.API_RATE
    count, period = run.API_RATE.split("/")
    assert int(count) >= 10_000_000 and period == "m"


def test_fetch_returns_a_connection_error_as_text():
    with socket.socket() as probe:  # a local port that nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    answer = prime.fetch(f"http://127.0.0.1:{port}/", timeout=2)

    assert isinstance(answer, str)
    assert not prime.answered(answer)


# --- the benchmark's database -----------------------------------------------------


def test_only_the_default_sizes_use_the_full_size_database():
    assert run.DEFAULT_SIZES == (250_000, 1_000_000)
    assert run.database_name(250_000, 1_000_000) == "kopnet_bench"
    assert run.database_name(3_000, 10_000) == "kopnet_bench_small"
    assert run.database_name(250_000, 10_000) == "kopnet_bench_small"
    assert run.database_name(150_000, 500_000) == "kopnet_bench_small"


def test_a_quick_run_defaults_to_the_small_database_and_an_empty_size_means_the_default():
    quick = run.Config({"BENCH_COOPERATIVES": "3000", "BENCH_PARTNERSHIPS": "10000"})
    full = run.Config({"BENCH_COOPERATIVES": "", "BENCH_PARTNERSHIPS": ""})  # as the Makefile exports them

    assert quick.database_url.endswith(":5433/kopnet_bench_small")
    assert full.database_url.endswith(":5433/kopnet_bench")
    assert run.Config({"BENCH_DATABASE_URL": "postgres://x@h/other_bench"}).database_url.endswith("/other_bench")


def test_gunicorns_worker_class_is_sync_unless_set_even_when_the_makefile_exports_it_empty():
    assert run.Config({"BENCH_WORKER_CLASS": "", "BENCH_WORKER_THREADS": ""}).worker_class == "sync"
    threaded = run.Config({"BENCH_WORKER_CLASS": "gthread", "BENCH_WORKER_THREADS": "4"})
    assert (threaded.worker_class, threaded.worker_threads) == ("gthread", "4")


def test_recreating_refuses_a_database_that_is_not_a_benchmark_one():
    with pytest.raises(SystemExit, match="refusing to drop 'kopnet'"):
        run.recreate_database("postgres://kopnet:kopnet@localhost:5433/kopnet")
    with pytest.raises(SystemExit, match="refusing to drop 'kopnet_bench_smaller'"):
        run.recreate_database("postgres://kopnet:kopnet@localhost:5433/kopnet_bench_smaller")


@pytest.mark.django_db
def test_the_benchs_signed_in_session_loads_its_user_on_the_admin_and_the_dashboard(client):
    """bench/cases.py signs the curator and the official in by a stored session: it must
    name a backend that loads users (axes's, first in AUTHENTICATION_BACKENDS, cannot:
    every signed-in case then answered 500)."""
    from django.contrib.auth import get_user_model

    from bench import cases

    get_user_model().objects.create_user("kurator", password="x", is_staff=True, is_superuser=True)
    name, value = cases.session_cookie("kurator").split("=", 1)
    client.cookies[name] = value
    assert client.get("/admin/registry/cooperative/").status_code == 200
    assert client.get("/akun/").status_code == 200
