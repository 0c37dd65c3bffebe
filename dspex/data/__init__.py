"""Small bundled datasets for demos, tests and benchmarks."""

from dspex.data.sst2 import SST2_LABELS, load_sst2

__all__ = ["SST2_LABELS", "load_sst2"]
