"""The README is a front page: at most 260 lines, opening with the demo command and the test
command (the ones .ci/run runs), and its links into the user guide resolve."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def opening_commands() -> list[str]:
    """The lines of the code block right under the README's title."""
    lines = README.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# DSPex", lines[0]
    rest = [line for line in lines[1:] if line.strip()]
    assert rest[0] == "```bash", f"the README must open with a bash block of commands, not {rest[0]!r}"
    block = rest[1 : rest.index("```", 1)]
    return [line.split("#", 1)[0].strip() for line in block]


def test_it_is_at_most_260_lines() -> None:
    count = len(README.read_text(encoding="utf-8").splitlines())
    assert count <= 260, f"README.md has {count} lines; move the detail into docs/"


def test_it_starts_with_the_demo_command_and_the_test_command() -> None:
    assert opening_commands() == ["scripts/demo", "scripts/test"]
    for command in opening_commands():
        script = ROOT / command
        assert script.is_file() and script.stat().st_mode & 0o111, f"{command} is not an executable script"


def test_ci_runs_both_commands() -> None:
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    run = [line for line in ci_lines if line and not line.startswith(("#", "echo"))]
    for command in opening_commands():
        assert any(re.search(rf"(^|\s){re.escape(command)}(\s|$)", line) for line in run), (
            f".ci/run does not run {command}"
        )


def test_its_links_into_the_user_guide_resolve() -> None:
    links = re.findall(r"\]\((docs/[^)#\s]*)", README.read_text(encoding="utf-8"))
    assert links, "the README links to no page of the user guide"
    missing = [link for link in links if not (ROOT / link).is_file()]
    assert not missing, f"README links to pages that do not exist: {missing}"
