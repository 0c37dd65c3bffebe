"""Tools are named things (core.registry): built in, registered by apps, or allow-listed in
``DSPEX_TOOLS``; a program can only name those."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from programs.gateway.modules import module_from_version
from programs.services import program_create
from programs.tools import resolve_tool, tool_names

pytestmark = pytest.mark.django_db


def echo(text: str) -> str:
    """Say ``text`` back."""
    return text


def echo_tool(program):
    return echo


def test_an_entry_in_the_common_setting_format_is_a_tool(settings, qa_signature):
    settings.DSPEX_TOOLS = {"echo": {"path": f"{__name__}.echo_tool", "description": "says it back"}}
    assert tool_names() == ["calculator", "echo", "search_examples"]
    assert resolve_tool("echo", None) is echo
    program = program_create(
        name="echoes", signature=qa_signature, module_type="react", module_config={"tools": ["echo"]}
    )
    assert "echo" in module_from_version(program.current_version).tools


def test_an_unknown_tool_names_the_allowed_ones_and_the_setting():
    with pytest.raises(ValidationError) as caught:
        resolve_tool("os.system", None)
    [message] = caught.value.message_dict["module_config"]
    assert message == (
        "unknown tool 'os.system' (known: calculator, search_examples; add more with the DSPEX_TOOLS setting)"
    )
