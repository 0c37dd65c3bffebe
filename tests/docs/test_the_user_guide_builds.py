"""The user guide in docs/ builds with ``mkdocs build --strict``: every page is in the nav, every
link and anchor resolves, and the built pages load nothing from another host."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A <script src> or <link href> pointing at another host would make the guide need the network.
REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.IGNORECASE)


def build(site_dir: Path) -> subprocess.CompletedProcess[str]:
    config = str(ROOT / "mkdocs.yml")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config, "-d", str(site_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_mkdocs_build_strict_passes(tmp_path: Path) -> None:
    result = build(tmp_path / "site")
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}{result.stderr}"
    assert (tmp_path / "site" / "index.html").is_file()


def test_every_page_in_docs_is_built_and_none_loads_remote_assets(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = build(site)
    assert result.returncode == 0, result.stdout + result.stderr
    for page in sorted((ROOT / "docs").glob("*.md")):
        built = site / ("index.html" if page.stem == "index" else f"{page.stem}/index.html")
        assert built.is_file(), f"{page.name} was not built"
        remote = REMOTE_ASSET.findall(built.read_text(encoding="utf-8"))
        assert not remote, f"{built.relative_to(site)} loads assets from another host: {remote}"
