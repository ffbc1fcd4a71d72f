"""The list of cooperatives filtered to a province has a page version of its own.

With one key ("lc") for every list of cooperatives, each cooperative verified or
renamed anywhere emptied every filtered list at once: at ten writes a second
(bench/writers.py) the 36 filtered lists of the benchmark were rendered afresh on
almost every request, 39 req/s instead of 700. A verified cooperative's listed
columns or sectors now change "lc" (the lists without a province filter) and
"lc:<province>" (those filtered to its province; for a move, both provinces), and
a list filtered to a province is keyed by that key alone
(registry.views.CooperativeListView.page_versions).
"""

import importlib

from django.db import migrations

pages = importlib.import_module("kopnet.migrations.0006_page_versions")
previous = importlib.import_module("registry.migrations.0012_page_versions")

VERIFIED = "{row}.verification = 'verified'"
COOPERATIVE_LIST = pages.page_triggers(
    "kopnet_pages_registry_cooperative_lc",
    "registry_cooperative",
    own=[],
    shown=[f"SELECT 'lc' AS k WHERE {VERIFIED}", f"SELECT 'lc:' || {{row}}.province_id AS k WHERE {VERIFIED}"],
    columns=["verification", *previous.LISTED],
)
COOPERATIVE_SECTORS_LIST = pages.page_triggers(
    "kopnet_pages_cooperative_sectors_lc",
    "registry_cooperative_sectors",
    own=[
        "SELECT 'lc' AS k FROM registry_cooperative WHERE id = {row}.cooperative_id AND verification = 'verified'",
        "SELECT 'lc:' || province_id AS k FROM registry_cooperative "
        "WHERE id = {row}.cooperative_id AND verification = 'verified'",
    ],
)


class Migration(migrations.Migration):
    dependencies = [("registry", "0012_page_versions")]

    operations = [
        # The triggers of 0012 go (same names), these come.
        migrations.RunPython(previous.COOPERATIVE_LIST[1], previous.COOPERATIVE_LIST[0]),
        migrations.RunPython(previous.COOPERATIVE_SECTORS_LIST[1], previous.COOPERATIVE_SECTORS_LIST[0]),
        migrations.RunPython(*COOPERATIVE_LIST),
        migrations.RunPython(*COOPERATIVE_SECTORS_LIST),
    ]
