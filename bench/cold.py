"""The cold table alone: each case's uncached server time, without the load test.

    python -m bench.cold [case …]

What `make bench` prints in its "uncached ms" column, in a minute or two instead of
the whole run: for working on a slow page. It reads the data `make bench` seeded and
the static files it collected (BENCH_DATABASE_URL chooses another database, as for
`make bench`), with the production settings the bench's server has.
"""

import os
import sys

from bench.run import Config, server_environment


def main(names):
    os.environ.update(server_environment(Config(os.environ)))
    import django

    django.setup()
    from bench import cases as cases_module
    from bench import queries

    cases = [case for case in cases_module.build_cases() if not case.base and case.kind != "ceiling"]
    if names:
        cases = [case for case in cases if case.name in names]
    print(f"reference loop {queries.reference_ms():.0f} ms", flush=True)
    queries.warm_up(cases)
    for name, result in queries.queries_per_request(cases).items():
        if isinstance(result, RuntimeError):
            print(f"{name:28} {result}", flush=True)
            continue
        print(
            f"{name:28} uncached p50 {result['uncached_ms_p50']:7.1f} ms   "
            f"queries {result['mean']:.1f} cold (max {result['max']}), {result['warm_mean']:.1f} warm",
            flush=True,
        )
    print(f"reference loop {queries.reference_ms():.0f} ms", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
