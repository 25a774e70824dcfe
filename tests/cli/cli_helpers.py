"""Running the CLI in-process (click's runner) and as the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from assistant.cli.main import cli


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def run(*args: str, db: str | None = None) -> Result:
    runner = CliRunner()
    argv = (["--database-url", db] if db else []) + list(args)
    res = runner.invoke(cli, argv, catch_exceptions=False)
    return Result(res.exit_code, res.stdout, res.stderr)


def console_script() -> list[str]:
    exe = shutil.which("causal-assistant", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "assistant.cli.main"]


def run_process(*args: str, db: str | None = None, env: dict[str, str] | None = None,
                timeout: float = 120) -> Result:
    argv = console_script() + (["--database-url", db] if db else []) + list(args)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})
    return Result(proc.returncode, proc.stdout, proc.stderr)
