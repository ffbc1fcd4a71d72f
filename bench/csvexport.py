"""One CSV download timed, with the memory of the gunicorn worker that served it.

A sampler thread reads VmRSS of every worker from /proc every 20 ms during the
download; the worker whose CPU time grew the most served it, and its peak RSS over
its RSS just before is the growth reported.
"""

import threading
import time
import urllib.request
from pathlib import Path

SAMPLE_SECONDS = 0.02
CHUNK = 1 << 16


def worker_pids(master_pid):
    """The gunicorn master's child processes (its workers)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:
            pids.append(int(stat.parent.name))
    return pids


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # utime and stime: fields 14 and 15 of stat, counted after the command name.
    return int(fields[11]) + int(fields[12])


class RssSampler(threading.Thread):
    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.peak = {pid: rss_kb(pid) for pid in pids}
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(SAMPLE_SECONDS):
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_kb(pid))

    def stop(self):
        self.stopping.set()
        self.join()


def timed_download(base_url, path, cookie, master_pid):
    """Downloads base_url + path once; seconds, rows (lines - 1) and the worker's RSS growth."""
    pids = worker_pids(master_pid)
    before = {pid: rss_kb(pid) for pid in pids}
    ticks = {pid: cpu_ticks(pid) for pid in pids}
    sampler = RssSampler(pids)
    sampler.start()
    started = time.perf_counter()
    first_byte = None
    lines = 0
    try:
        request = urllib.request.Request(base_url + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=300) as response:
            content_type = response.headers.get("Content-Type", "")
            if not content_type.startswith("text/csv"):
                raise RuntimeError(f"{path} answered {content_type!r}, not text/csv")
            while chunk := response.read(CHUNK):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
    finally:
        sampler.stop()
    served_by = max(pids, key=lambda pid: cpu_ticks(pid) - ticks[pid])
    return {
        "seconds": seconds,
        "first_byte_s": first_byte,
        "rows": lines - 1,
        "worker_pid": served_by,
        "rss_before_mb": before[served_by] / 1024,
        "rss_peak_mb": sampler.peak[served_by] / 1024,
        "rss_growth_mb": (sampler.peak[served_by] - before[served_by]) / 1024,
    }
