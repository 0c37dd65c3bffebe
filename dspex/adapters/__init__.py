"""Adapters: signatures + demos + inputs -> LM messages, and completions -> typed fields."""

from dspex.adapters.base import Adapter
from dspex.adapters.chat_adapter import ChatAdapter
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.json_adapter import JSONAdapter
from dspex.adapters.two_step_adapter import TwoStepAdapter
from dspex.adapters.xml_adapter import XMLAdapter

__all__ = ["Adapter", "AdapterParseError", "ChatAdapter", "JSONAdapter", "TwoStepAdapter", "XMLAdapter"]
