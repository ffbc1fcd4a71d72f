"""The open data snapshot (`manage.py export_open_data`, issue 14 §2) timed once
against the benchmark's database, with the peak memory of its process.

The command runs in a process of its own, as the daily timer runs it; os.wait4()
gives that process's own resource usage (ru_maxrss: its peak resident memory), where
RUSAGE_CHILDREN would give the largest of every child so far (gunicorn, seed_scale).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_export(root, environment=None):
    """Run export_open_data once into a directory of its own (deleted after): its
    seconds, peak memory (MB), the zip's size and the rows of each table."""
    folder = Path(tempfile.mkdtemp(prefix="kopnet-bench-open-data-"))
    env = {**(os.environ if environment is None else environment), "KOPNET_OPEN_DATA_DIR": str(folder)}
    try:
        with tempfile.TemporaryFile() as output:
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "manage.py", "export_open_data"], cwd=root, env=env, stdout=output, stderr=output
            )
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            seconds = time.perf_counter() - started
            output.seek(0)
            said = output.read().decode(errors="replace").strip()
        result = {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024}  # Linux: kilobytes
        if process.returncode:
            return result | {"error": f"exit status {process.returncode}: {said[-500:]}"}
        [manifest] = [json.loads(path.read_text()) for path in folder.glob("kopnet-open-data-*.json")]
        return result | {"size_mb": manifest["size"] / 1e6, "rows": manifest["rows"]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
