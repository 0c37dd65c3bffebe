"""The engine's layers hold: import-linter's contracts in pyproject.toml ([tool.importlinter]) —
layers in the order docs/engine-architecture.md gives, no import cycles anywhere in dspex/, and
no Django or app imports — are kept, and they do see the imports that hide inside functions."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_LINT = (
    "import sys; from importlinter.cli import lint_imports; "
    "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))"
)


def lint(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` in a child process (it puts ``cwd`` on ``sys.path`` and sets up logging)."""
    return subprocess.run(
        [sys.executable, "-c", _LINT, str(config)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_engine_keeps_its_layers_has_no_cycles_and_imports_nothing_from_the_platform() -> None:
    result = lint(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 5 kept, 0 broken." in result.stdout  # the engine's three, the apps' two


def test_the_contracts_see_an_upward_import_made_inside_a_function(tmp_path: Path) -> None:
    package = tmp_path / "toy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "high.py").write_text("from toy import low\n")
    (package / "low.py").write_text(
        textwrap.dedent(
            """
            def helper():
                from toy import high  # lazy, and still an upward import and a cycle
                return high
            """
        )
    )
    config = tmp_path / "contracts.toml"
    config.write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_packages = ["toy"]

            [[tool.importlinter.contracts]]
            name = "toy layers"
            type = "layers"
            containers = ["toy"]
            layers = ["high", "low"]

            [[tool.importlinter.contracts]]
            name = "toy acyclic"
            type = "acyclic_siblings"
            ancestors = ["toy"]
            """
        )
    )

    result = lint(config, tmp_path)

    assert result.returncode != 0
    assert "toy.low -> toy.high" in result.stdout
    assert "Contracts: 0 kept, 2 broken." in result.stdout
