"""Adapters: signatures + demos + inputs -> LM messages, and completions -> typed fields."""

from dspex.adapters.base import Adapter
from dspex.adapters.chat_adapter import ChatAdapter
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.json_adapter import JSONAdapter

__all__ = ["Adapter", "AdapterParseError", "ChatAdapter", "JSONAdapter"]
