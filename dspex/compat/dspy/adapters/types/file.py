"""``dspy.adapters.types.file``."""

from dspex.compat._names import unsupported
from dspex.types.file import File, encode_file_to_dict

__getattr__ = unsupported(__name__)

__all__ = [
    "File",
    "encode_file_to_dict",
]
