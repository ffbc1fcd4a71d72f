"""Generate a registry at national scale for the benchmark (bench/scale.py says what):

    .venv/bin/python -m bench.seed_scale --cooperatives 250000 --partnerships 1000000

bench/run.py runs it for `make bench`; the tests run `Command` through call_command().
The settings and the database come from the environment, as for manage.py
(DJANGO_SETTINGS_MODULE, default kopnet.settings, and DATABASE_URL). It is not a
management command: no app of the product knows the benchmark's generator.
"""

import os
import sys
import time

import django
from django.core.management.base import BaseCommand, CommandError


def positive(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Replace the registry's cooperatives, partners and partnerships with generated ones, in bulk: "
        "every tier in every province, memberships, partners, partnerships of 2 to 6 parties, and a few "
        "organisations with thousands of members and partnerships. Creates the curator `kurator`. "
        "Refuses a database holding records it did not generate unless --force."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = "python -m bench.seed_scale"
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--cooperatives", type=positive, default=250_000)
        parser.add_argument("--partnerships", type=positive, default=1_000_000)
        parser.add_argument("--partners", type=positive, help="default: one for every 7 cooperatives")
        parser.add_argument("--seed", type=int, default=2026, help="the same seed generates the same data")
        parser.add_argument(
            "--force", action="store_true", help="replace records seed_scale did not generate (they are deleted)"
        )

    def handle(self, *args, **options):
        # Imported here: it imports the models, which `python -m` reaches before django.setup().
        from bench.scale import NonGeneratedData, seed

        started = time.monotonic()
        try:
            totals = seed(
                options["cooperatives"],
                options["partnerships"],
                partners=options["partners"],
                seed=options["seed"],
                force=options["force"],
                stream=self.stderr._out,
            )
        except (NonGeneratedData, ValueError) as error:
            raise CommandError(str(error)) from error
        steps = ", ".join(f"{name} {seconds} s" for name, seconds in totals.seconds.items())
        self.stdout.write(
            f"Generated {totals.cooperatives:,} cooperatives, {totals.memberships:,} memberships, "
            f"{totals.partners:,} partners, {totals.partnerships:,} partnerships with {totals.parties:,} parties "
            f"and {totals.links:,} sector/objective/field links in {time.monotonic() - started:.0f} s ({steps})."
        )


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kopnet.settings")
    django.setup()
    # run_from_argv() reads [program, subcommand, *options], as manage.py passes them.
    Command().run_from_argv(["python", "seed_scale", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
