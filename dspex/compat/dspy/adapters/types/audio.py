"""``dspy.adapters.types.audio``."""

from dspex.compat._names import unsupported
from dspex.types.audio import Audio, encode_audio

__getattr__ = unsupported(__name__)

__all__ = [
    "Audio",
    "encode_audio",
]
