"""Shared helpers of the hybrid tests: the chat-format reply for given outputs, request bodies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any


def reply(**fields: Any) -> str:
    """A completion in the ``[[ ## field ## ]]`` format with ``fields`` in order."""
    body = "\n\n".join(f"[[ ## {name} ## ]]\n{value}" for name, value in fields.items())
    return body + "\n\n[[ ## completed ## ]]"


def token_limit(body: dict[str, Any]) -> Any:
    """dspy sends ``max_completion_tokens`` to OpenAI, dspex ``max_tokens``: the same limit."""
    return body.get("max_tokens", body.get("max_completion_tokens"))


def requests_by_backend(stub: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two recorded request bodies of a native call followed by a dspy call."""
    native, theirs = (r.json for r in stub.completion_requests()[-2:])
    return native, theirs


_OUTPUT_FIELD = re.compile(r"^\d+\. `(\w+)` \(([^)]*)\)", re.MULTILINE)
_INPUT_VALUE = re.compile(r"\[\[ ## (\w+) ## \]\]\n(.*?)(?=\n\n\[\[ ## |\n\nRespond|\Z)", re.DOTALL)


INSTRUCTION = "Answer the arithmetic question with just the number."


def _value_for(
    name: str, type_text: str, inputs: dict[str, str], answers: dict[str, str], knows: bool
) -> Any:
    if name == "answer":
        return answers.get(inputs.get("question", ""), "0") if knows else "I am not sure."
    if name == "reasoning":
        return "Work it out."
    if type_text.startswith("int") or type_text.startswith("float"):
        return 1
    if type_text.startswith("bool"):
        return True
    if type_text.startswith("list"):
        return "[]"
    if type_text.startswith("dict"):
        return "{}"
    if type_text.startswith("Literal"):
        return type_text.split("'")[1]
    return INSTRUCTION


def task_responder(answers: dict[str, str], known: Iterable[str] = ()) -> Any:
    """A stub responder for optimizer runs: every request in the chat format gets each output field
    its signature asks for; other fields get a plausible value of their type (a proposed
    instruction is :data:`INSTRUCTION`). ``answer`` is right (from ``answers``, by question) only
    when the prompt carries :data:`INSTRUCTION` or a demo, so optimizing visibly pays off. JSON
    adapter requests get a JSON object; any other request gets :data:`INSTRUCTION` fenced.
    Questions in ``known`` are answered right without help."""
    known = set(known)

    def respond(request: Any) -> str:
        messages = request.json.get("messages") or []
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        if "Your output fields are:" not in system:
            return f"```\n{INSTRUCTION}\n```"
        outputs_part = system.split("Your output fields are:", 1)[1].split("All interactions", 1)[0]
        fields = _OUTPUT_FIELD.findall(outputs_part)
        inputs = {name: value.strip() for name, value in _INPUT_VALUE.findall(messages[-1]["content"])}
        knows = INSTRUCTION in system or len(messages) > 2 or inputs.get("question") in known
        values = {name: _value_for(name, kind, inputs, answers, knows) for name, kind in fields}
        if "Outputs will be a JSON object" in system:  # JSONAdapter (GEPA's reflection uses it)
            return json.dumps(values)
        return reply(**values)

    return respond
