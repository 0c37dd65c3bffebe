"""``dspy.adapters.types.audio``."""

from dspex.compat._names import unsupported
from dspex.types.audio import Audio, encode_audio, normalize_audio_format

_normalize_audio_format = normalize_audio_format

__getattr__ = unsupported(__name__)

__all__ = [
    "Audio",
    "_normalize_audio_format",
    "encode_audio",
]
