"""Shared by the fault tests: run the real CLI in a subprocess, start the saver script, read the store directly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
_SCRIPT = Path(sys.executable).parent / "causal-assistant"   # the installed console script
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "assistant.cli.main"]
SAVER = HERE / "fault_saver.py"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def cli(*args: str, db: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """``causal-assistant ARGS`` in a fresh process (a real restart), with ``DATABASE_URL=db``."""
    full_env = {**os.environ, **(env or {})}
    if db is not None:
        full_env["DATABASE_URL"] = db
    proc = subprocess.run([*CLI, *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def start_saver(url: str, mode: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(SAVER), url, mode], cwd=HERE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1, start_new_session=True)


def read_line(proc: subprocess.Popen, prefix: str, timeout: float = 60) -> str:
    """The next stdout line of ``proc`` that starts with ``prefix`` (fails after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"the saver exited ({proc.poll()}) before printing {prefix!r}:\n"
                                 f"{proc.stderr.read()}")
        if line.startswith(prefix):
            return line.strip()
    raise AssertionError(f"the saver did not print {prefix!r} within {timeout} s")


def kill_9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def raw_execute(url: str, *statements: str, params: dict | None = None) -> list:
    """Run SQL directly (no store, no foreign keys on SQLite): how the tests corrupt a database."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            out = []
            for statement in statements:
                result = conn.execute(text(statement), params or {})
                out.append(result.fetchall() if result.returns_rows else result.rowcount)
            return out
    finally:
        engine.dispose()
