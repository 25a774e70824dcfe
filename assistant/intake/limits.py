"""Limits on what one request may make the server do: the size of an upload, the rows used interactively.

* :func:`check_upload_size` refuses a file larger than ``CAUSAL_ASSISTANT_MAX_UPLOAD_MB``
  (default 200 MB; ``[limits] max_upload_mb``) with :class:`UploadTooLargeError`, *before*
  it is parsed or stored.  ``causal-assistant ui`` also sets Streamlit's
  ``server.maxUploadSize`` to the same number, so the browser refuses it first.
* :func:`read_data_file` is how every command reads a data file from a path: it reads at most
  the limit plus one byte, so a pipe (``<(cmd)``) or a device (``/dev/zero``), whose size
  ``stat`` cannot tell, is refused at the limit instead of being read whole.
* :func:`interactive_sample` keeps at most ``CAUSAL_ASSISTANT_INTERACTIVE_ROWS`` rows
  (default 100 000; ``[limits] interactive_rows``) for drafting and critique in the UI:
  a seeded random sample of rows in their original order, so the same file always gives
  the same sample.  Analyses of the full data run as background jobs
  (:mod:`assistant.jobs`).

>>> import pandas as pd
>>> s = interactive_sample(pd.DataFrame({"x": range(1000)}), max_rows=100)
>>> (s.used_rows, s.total_rows, s.sampled, len(s.frame))
(100, 1000, True, 100)
>>> interactive_sample(pd.DataFrame({"x": range(10)}), max_rows=100).note is None
True
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assistant.errors import DataError, Location, UploadTooLargeError

SAMPLE_SEED = 20240601


def _settings():
    from assistant.config import Settings

    return Settings.load()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def check_upload_size(size_bytes: int, *, file_name: str = "<upload>", limit_bytes: int | None = None) -> None:
    """Raise :class:`UploadTooLargeError` when ``size_bytes`` exceeds the limit (default: the settings')."""
    limit = _settings().max_upload_bytes if limit_bytes is None else limit_bytes
    if size_bytes > limit:
        raise UploadTooLargeError(
            f"the file is {_mb(size_bytes)}, more than the {_mb(limit)} upload limit; nothing was stored",
            size_bytes=size_bytes, limit_bytes=limit, location=Location(file=file_name),
            hint="upload a smaller extract, or have the administrator raise CAUSAL_ASSISTANT_MAX_UPLOAD_MB")


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a regular file (not a pipe, device, socket or directory); False if it is missing."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_data_file(path: str | os.PathLike[str], *, limit_bytes: int | None = None) -> bytes:
    """The bytes of the data file at ``path``, refused with :class:`UploadTooLargeError` over the upload limit.

    A regular file larger than the limit is refused before it is read.  Whatever the file is (a pipe,
    a device, a file growing while it is read), at most the limit plus one byte is read, so nothing
    over the limit is ever held in memory.  A missing, unreadable or directory path is a :class:`DataError`
    naming it.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile(suffix=".csv") as f:
    ...     _ = f.write(b"x,y\\n1,2\\n"); f.flush()
    ...     read_data_file(f.name, limit_bytes=100)
    b'x,y\\n1,2\\n'
    """
    limit = _settings().max_upload_bytes if limit_bytes is None else limit_bytes
    name = str(path)
    where = Location(file=name)
    if Path(path).is_dir():
        raise DataError("this is a directory, not a data file", location=where, hint="give the path of a CSV file")
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            regular = stat.S_ISREG(info.st_mode)
            if regular:
                check_upload_size(info.st_size, file_name=name, limit_bytes=limit)
            content = handle.read(limit + 1)
    except IsADirectoryError:
        raise DataError("this is a directory, not a data file", location=where,
                        hint="give the path of a CSV file") from None
    except OSError as exc:
        raise DataError(f"cannot read the data file: {exc.strerror or exc}", location=where) from None
    if len(content) > limit:
        kind = "file" if regular else "input"
        raise UploadTooLargeError(
            f"the {kind} is more than the {_mb(limit)} upload limit (reading stopped there); nothing was stored",
            size_bytes=len(content), limit_bytes=limit, location=where,
            hint="use a smaller extract, or have the administrator raise CAUSAL_ASSISTANT_MAX_UPLOAD_MB")
    return content


@dataclass(frozen=True)
class InteractiveData:
    """The frame to work on interactively, and whether (and how) it was sampled."""

    frame: pd.DataFrame
    total_rows: int
    used_rows: int
    seed: int | None = None

    @property
    def sampled(self) -> bool:
        return self.used_rows < self.total_rows

    @property
    def note(self) -> str | None:
        """What the UI says when the data were sampled (None when every row is used)."""
        if not self.sampled:
            return None
        return (f"The dataset has {self.total_rows:,} rows; drafting and critique use a random sample of "
                f"{self.used_rows:,} rows (seed {self.seed}, the limit for interactive work, "
                "CAUSAL_ASSISTANT_INTERACTIVE_ROWS). Analyses use every row.")


def interactive_sample(frame: pd.DataFrame, *, max_rows: int | None = None, seed: int = SAMPLE_SEED) -> InteractiveData:
    """At most ``max_rows`` rows (default: the settings'), sampled without replacement with ``seed``, in order."""
    limit = _settings().interactive_rows if max_rows is None else max_rows
    total = len(frame)
    if total <= limit:
        return InteractiveData(frame=frame, total_rows=total, used_rows=total)
    sample = frame.sample(n=limit, random_state=seed, replace=False).sort_index()
    return InteractiveData(frame=sample.reset_index(drop=True), total_rows=total, used_rows=limit, seed=seed)
