"""Status messages written by a provider: the text shown when a tool, module or LM call starts
or ends during a streamed execution, produced by a callback on those events."""

from __future__ import annotations

from typing import Any

from dspex.callbacks import BaseCallback
from dspex.primitives.streams import StatusMessage, StreamSink

__all__ = ["StatusMessageProvider", "StatusStreamingCallback"]


class StatusMessageProvider:
    """The status text of each event of a streamed execution; a hook returning ``None`` (or an
    empty string) sends nothing. Subclass it and override the hooks you want::

        class Progress(StatusMessageProvider):
            def lm_start_status_message(self, instance, inputs):
                return "Asking the model..."

    By default only tool calls are announced.
    """

    def tool_start_status_message(self, instance: Any, inputs: dict[str, Any]) -> str | None:
        """Before a tool runs."""
        return f"Calling tool {instance.name}..."

    def tool_end_status_message(self, outputs: Any) -> str | None:
        """After a tool ran."""
        return "Tool calling finished! Querying the LLM with tool calling results..."

    def module_start_status_message(self, instance: Any, inputs: dict[str, Any]) -> str | None:
        """Before a module (a Predict too) runs."""
        return None

    def module_end_status_message(self, outputs: Any) -> str | None:
        """After a module ran."""
        return None

    def lm_start_status_message(self, instance: Any, inputs: dict[str, Any]) -> str | None:
        """Before an LM request."""
        return None

    def lm_end_status_message(self, outputs: Any) -> str | None:
        """After an LM request."""
        return None


class StatusStreamingCallback(BaseCallback):
    """Sends the provider's messages of one execution to its sink. A ReAct's ``finish`` tool
    (and its ``"Completed."`` result) is not announced."""

    def __init__(self, sink: StreamSink, provider: StatusMessageProvider | None = None):
        self.sink = sink
        self.provider = provider or StatusMessageProvider()

    def _send(self, text: str | None) -> None:
        if text:
            self.sink.put_any(StatusMessage(str(text)))

    def on_tool_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        if getattr(instance, "name", None) == "finish":
            return
        self._send(self.provider.tool_start_status_message(instance, inputs))

    def on_tool_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        if outputs == "Completed.":
            return
        self._send(self.provider.tool_end_status_message(outputs))

    def on_module_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        self._send(self.provider.module_start_status_message(instance, inputs))

    def on_module_end(
        self, call_id: str, outputs: Any | None, exception: BaseException | None = None
    ) -> None:
        self._send(self.provider.module_end_status_message(outputs))

    def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
        self._send(self.provider.lm_start_status_message(instance, inputs))

    def on_lm_end(self, call_id: str, outputs: Any | None, exception: BaseException | None = None) -> None:
        self._send(self.provider.lm_end_status_message(outputs))
