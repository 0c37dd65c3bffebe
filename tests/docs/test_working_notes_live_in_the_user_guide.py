"""Branch notes (``NOTES-*.md``) do not live at the repository root, and no tracked file points
at one: what they held belongs in docs/."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTES_NAME = re.compile(r"\bNOTES" + r"-[\w.-]*\.md")  # split so this file does not match itself


def test_no_notes_file_is_at_the_root() -> None:
    assert sorted(p.name for p in ROOT.glob("NOTES*.md")) == []


def test_no_tracked_file_names_a_notes_file() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    mentions = []
    for name in filter(None, listed.stdout.split("\0")):
        path = ROOT / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        mentions += [f"{name}: {match}" for match in NOTES_NAME.findall(text)]
    assert mentions == []
