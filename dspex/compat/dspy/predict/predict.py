"""``dspy.predict.predict``."""

from dspex.compat._names import unsupported
from dspex.modules import Predict
from dspex.modules.predict import logger
from dspex.utils import serialize_object

__getattr__ = unsupported(__name__)

__all__ = ["Predict", "logger", "serialize_object"]
