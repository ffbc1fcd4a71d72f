"""The cold table alone: each case's uncached server time, without the load test.

    DATABASE_URL=postgres://…/kopnet_bench python -m bench.cold [case …]

What `make bench` prints in its "uncached ms" column, in about a minute instead of
the whole run's half hour: for working on a slow page. The data must be seeded
already (`make bench` or `python -m bench.seed_scale`); production settings, as the
bench's server has them.
"""

import os
import sys

from bench.run import server_environment, Config


def main(names):
    os.environ.update({**server_environment(Config(os.environ)), "DATABASE_URL": os.environ["DATABASE_URL"]})
    import django

    django.setup()
    from bench import cases as cases_module
    from bench import queries

    cases = [case for case in cases_module.build_cases() if not case.base and case.kind != "ceiling"]
    if names:
        cases = [case for case in cases if case.name in names]
    queries.warm_up(cases)
    for case in cases:
        result = queries.queries_per_request(case)
        print(
            f"{case.name:28} uncached p50 {result['uncached_ms_p50']:7.1f} ms   "
            f"queries {result['mean']:.1f} cold (max {result['max']}), {result['warm_mean']:.1f} warm",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
