"""``dspy.adapters.types.image``."""

from dspex.compat._names import unsupported
from dspex.types.image import Image, encode_image, is_image

__getattr__ = unsupported(__name__)

__all__ = [
    "Image",
    "encode_image",
    "is_image",
]
