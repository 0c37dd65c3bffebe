"""``dspy.utils.usage_tracker``."""

from dspex.compat._names import unsupported
from dspex.lm.usage import UsageTracker, track_usage

__getattr__ = unsupported(__name__)

__all__ = ["UsageTracker", "track_usage"]
