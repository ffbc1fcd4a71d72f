"""What the benchmark ran on: CPU, memory, OS, and the versions of the stack."""

import os
import platform
import re
import subprocess
import sys
from pathlib import Path


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def os_name():
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def command_version(command, pattern):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(pattern, done.stdout + done.stderr)
    return match.group(1) if match else "unknown"


def describe(postgresql, postgresql_settings):
    """The machine and stack, as (label, value) pairs in the order RESULTS.md shows them."""
    import django
    import gunicorn

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory": f"{memory_gib():.1f} GiB",
        "os": os_name(),
        "kernel": platform.release(),
        "postgresql": postgresql,
        "postgresql_settings": postgresql_settings,
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": command_version(["wrk", "-v"], r"^wrk (\S+)"),
    }
