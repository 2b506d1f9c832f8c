"""The what-if (模拟测算) in one place: `changes` applies changes to the pure input and compares (no database),
`scenarios` loads a round, runs and stores scenarios, `forms` and `views` are its pages (urls in indicators.urls)."""

from .changes import ChangeError, apply_changes, canonical, compare, describe_change, snapshot

__all__ = ["ChangeError", "apply_changes", "canonical", "compare", "describe_change", "snapshot"]
