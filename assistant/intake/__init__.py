"""Intake: reading a dataset and describing it (columns, types, missingness)."""

from assistant.intake.profile import profile_csv, profile_frame, read_csv

__all__ = ["profile_csv", "profile_frame", "read_csv"]
