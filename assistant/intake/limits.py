"""Limits on what one request may make the server do: the size of an upload, the rows used interactively.

* :func:`check_upload_size` refuses a file larger than ``CAUSAL_ASSISTANT_MAX_UPLOAD_MB``
  (default 200 MB; ``[limits] max_upload_mb``) with :class:`UploadTooLargeError`, *before*
  it is parsed or stored.  ``causal-assistant ui`` also sets Streamlit's
  ``server.maxUploadSize`` to the same number, so the browser refuses it first.
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

from dataclasses import dataclass

import pandas as pd

from assistant.errors import Location, UploadTooLargeError

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
