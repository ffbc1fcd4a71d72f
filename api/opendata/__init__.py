"""Dated snapshots of everything public (issue 14 §2): `manage.py export_open_data`
writes a Frictionless Data Package into settings.KOPNET_OPEN_DATA_DIR, and /data/
lists what is there.

A snapshot is one zip, kopnet-open-data-<UTC time>.zip, holding
    datapackage.json       the package: each table's fields (Table Schema: types,
                           constraints, keys, foreign keys), the licence, the sources
    <table>.csv            one a table (tables.py), in the order of its key
    partnerships.jsonl     each partnership with its parties, as the API shows it
    changes/<table>.csv    the rows added, changed and removed since the previous
                           snapshot (none in the first): a resource of the package too
beside it kopnet-open-data-<time>.sha256 (sha256sum's format) and .json (what /data/
lists: size, checksum, rows and changes), which is written last: a snapshot exists
once its .json does.

What is exported is what a visitor sees, asked of kopnet.policy (visible() for the
rows, the Rules' nameable() for the names of a partnership's parties): verified
records, at their verified values (a pending edit waits in its Revision).

Memory stays flat whatever the rows: every table streams from one query
(.iterator()) into its CSV file, many-to-many slugs come a chunk at a time, the
change files merge the previous snapshot's sorted CSV (read out of its zip) with the
new one, and the JSON Lines merge the two sorted CSVs they are made of. Every table
is read in one transaction (REPEATABLE READ on PostgreSQL), so that its foreign
keys hold between tables.
"""

from api.opendata.snapshots import SnapshotError, directory, download, export, snapshots
from api.opendata.tables import CHANGES, tables

__all__ = ["CHANGES", "SnapshotError", "directory", "download", "export", "snapshots", "tables"]
