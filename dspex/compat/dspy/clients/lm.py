"""``dspy.clients.lm``."""

from dspex.compat._names import unsupported
from dspex.lm import LM
from dspex.lm.providers.openai_responses import chat_to_responses_request

_convert_chat_request_to_responses_request = chat_to_responses_request

__getattr__ = unsupported(__name__)

__all__ = ["LM"]
