"""Helpers the benchmarks share: what machine a figure came from, and a throwaway PostgreSQL database."""

from __future__ import annotations

import os
import platform
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ADMIN_URL = os.environ.get("CA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return cpu


@contextmanager
def postgres_database(admin_url: str = ADMIN_URL) -> Iterator[str | None]:
    """A fresh, empty database on the server behind ``admin_url`` (dropped afterwards), or None without one."""
    try:
        import psycopg

        dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
        name = f"ca_bench_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any failure means "no PostgreSQL"; reported, not fatal
        print(f"PostgreSQL unavailable at {admin_url} ({exc}); timing SQLite only", file=sys.stderr)
        yield None
        return
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
