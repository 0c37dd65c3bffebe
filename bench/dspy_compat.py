"""DSPy's own offline tests as the yardstick of `dspex.compat.dspy` (issue 14).

Runs the selected test files of a DSPy source tree twice, each time in its own pytest
subprocess: once on the installed dspy, once on dspex, with ``import dspy`` resolving to
:mod:`dspex.compat.dspy` (:func:`dspex.compat.alias.install`). It prints a per-file table (tests,
passing on dspy, passing on dspex, the commonest failure reasons on dspex) and writes it to
``bench/results/dspy_compat.json``.

DSPy's tests are never committed here. They come from, in this order:

* ``--dspy-tests PATH``: a DSPy checkout (or its ``tests/`` directory);
* ``--dspy-git GITDIR --ref TAG``: a local clone or mirror, read with ``git archive``;
* otherwise the dspy sdist of the installed version, fetched with pip into
  ``~/.cache/dspex/dspy-sdist``. (The 3.4.1 sdist ships no ``tests/`` besides two files about its
  vendored client, so for 3.4.1 one of the two options above is needed.)

Example::

    git --git-dir=/path/to/dspy.git archive 3.3.1 tests | tar x -C /tmp/dspy-3.3.1
    python bench/dspy_compat.py --dspy-tests /tmp/dspy-3.3.1

Both runs are offline: ``LITELLM_LOCAL_MODEL_COST_MAP=True`` and a throwaway ``DSPY_CACHEDIR``.
The dspex run replaces DSPy's ``tests/conftest.py`` (which resets dspy's private settings
module) with :data:`DSPEX_CONFTEST`, which gives the same fixtures on dspex.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import machine  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "dspy_compat.json"
SDIST_CACHE = Path.home() / ".cache" / "dspex" / "dspy-sdist"
REFERENCE_CACHE = Path.home() / ".cache" / "dspex" / "dspy-compat"

# The offline test files of DSPy's tree (the areas). Files that need network, Deno, PIL,
# a LiteLLM proxy or an optional package that is not installed are left out: they do not pass
# offline on dspy either.
DEFAULT_FILES = [
    "tests/signatures/test_signature.py",
    "tests/signatures/test_custom_types.py",
    "tests/signatures/test_adapter_file.py",
    "tests/adapters/test_chat_adapter.py",
    "tests/adapters/test_json_adapter.py",
    "tests/adapters/test_xml_adapter.py",
    "tests/adapters/test_two_step_adapter.py",
    "tests/adapters/test_tool.py",
    "tests/adapters/test_adapter_utils.py",
    "tests/predict/test_predict.py",
    "tests/predict/test_chain_of_thought.py",
    "tests/predict/test_aggregation.py",
    "tests/predict/test_best_of_n.py",
    "tests/predict/test_multi_chain_comparison.py",
    "tests/predict/test_parallel.py",
    "tests/predict/test_refine.py",
    "tests/predict/test_react.py",
    "tests/predict/test_knn.py",
    "tests/primitives/test_example.py",
    "tests/primitives/test_module.py",
    "tests/primitives/test_base_module.py",
    "tests/evaluate/test_evaluate.py",
    "tests/evaluate/test_metrics.py",
    "tests/teleprompt/test_bootstrap.py",
    "tests/teleprompt/test_copro_optimizer.py",
    "tests/teleprompt/test_ensemble.py",
    "tests/teleprompt/test_knn_fewshot.py",
    "tests/teleprompt/test_random_search.py",
    "tests/teleprompt/test_teleprompt.py",
    "tests/clients/test_lm.py",
    "tests/clients/test_cache.py",
    "tests/clients/test_embedding.py",
    "tests/clients/test_inspect_global_history.py",
    "tests/streaming/test_streaming.py",
    "tests/callback/test_callback.py",
    "tests/utils/test_saving.py",
    "tests/utils/test_usage_tracker.py",
    "tests/utils/test_asyncify.py",
    "tests/utils/test_syncify.py",
    "tests/utils/test_settings.py",
]

PYTEST_INI = """[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
junit_family = xunit1
"""

# Loaded with ``-p`` before any conftest: from here on ``import dspy`` is dspex.compat.dspy.
ALIAS_PLUGIN = """from dspex.compat import alias

alias.install()
"""

# DSPy's conftest, restated for dspex: settings reset after each test, the skip flags, anyio.
DSPEX_CONFTEST = """import os

import pytest

import dspex

SKIP_DEFAULT_FLAGS = ["reliability", "extra", "llm_call", "deno"]


@pytest.fixture(autouse=True)
def clear_settings():
    dspex.settings.reset()
    dspex.configure(backend="native")  # the hybrid router would import the real dspy
    yield
    dspex.settings.reset()


@pytest.fixture
def anyio_backend():
    return "asyncio"


def pytest_addoption(parser):
    for flag in SKIP_DEFAULT_FLAGS:
        parser.addoption(f"--{flag}", action="store_true", default=False, help=f"run {flag} tests")


def pytest_configure(config):
    for flag in SKIP_DEFAULT_FLAGS:
        config.addinivalue_line("markers", flag)


def pytest_collection_modifyitems(config, items):
    for flag in SKIP_DEFAULT_FLAGS:
        if config.getoption(f"--{flag}"):
            continue
        mark = pytest.mark.skip(reason=f"need --{flag} option to run")
        for item in items:
            if flag in item.keywords:
                item.add_marker(mark)


@pytest.fixture
def lm_for_test():
    model = os.environ.get("LM_FOR_TEST")
    if model is None:
        pytest.skip("LM_FOR_TEST is not set in the environment variables")
    return model


try:  # the LiteLLM proxy fixtures, for the files that use them
    from tests.test_utils.server import (  # noqa: F401
        _litellm_test_server,
        litellm_test_server,
        read_litellm_test_server_request_logs,
    )
except Exception:  # noqa: BLE001 - the proxy is optional; its tests then error, as they should
    pass
"""


# -- where DSPy's tests come from -------------------------------------------------------------


def tests_from_path(path: Path) -> Path:
    """The directory holding ``tests/`` in a checkout given as the checkout or its tests dir."""
    path = path.resolve()
    if (path / "tests").is_dir():
        return path
    if path.name == "tests" and path.is_dir():
        return path.parent
    raise SystemExit(f"error: no tests/ directory in {path}")


def tests_from_git(gitdir: Path, ref: str, into: Path) -> Path:
    """Extract ``tests/`` of ``ref`` from a local clone or bare mirror with ``git archive``."""
    archive = subprocess.run(
        ["git", f"--git-dir={gitdir}", "archive", "--format=tar", ref, "tests"],
        check=True,
        capture_output=True,
    ).stdout
    into.mkdir(parents=True, exist_ok=True)
    tar_path = into / "tests.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into, filter="data")
    tar_path.unlink()
    return into


def tests_from_sdist(files: list[str]) -> Path:
    """The installed dspy version's sdist (pip, cached); fails if it lacks the selected files."""
    version = importlib.metadata.version("dspy")
    SDIST_CACHE.mkdir(parents=True, exist_ok=True)
    archive = SDIST_CACHE / f"dspy-{version}.tar.gz"
    if not archive.exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                f"dspy=={version}",
                "--no-binary",
                ":all:",
                "--no-deps",
                "--no-build-isolation",
                "-d",
                str(SDIST_CACHE),
            ],
            check=True,
        )
    tree = SDIST_CACHE / f"dspy-{version}"
    if not tree.exists():
        with tarfile.open(archive) as tar:
            tar.extractall(SDIST_CACHE, filter="data")
    missing = [name for name in files if not (tree / name).exists()]
    if missing:
        raise SystemExit(
            f"error: the dspy {version} sdist does not ship {len(missing)} of the {len(files)} test files "
            f"(e.g. {missing[0]}); point --dspy-tests at a DSPy checkout or use --dspy-git/--ref"
        )
    return tree


# -- one pytest run ---------------------------------------------------------------------------


def prepare(source: Path, work: Path, flavour: str) -> Path:
    """A copy of ``source/tests`` under ``work/flavour`` with our pytest.ini (and conftest)."""
    tree = work / flavour
    shutil.copytree(source / "tests", tree / "tests")
    (tree / "pytest.ini").write_text(PYTEST_INI)
    if flavour == "dspex":
        (tree / "tests" / "conftest.py").write_text(DSPEX_CONFTEST)
        (tree / "_dspex_alias_plugin.py").write_text(ALIAS_PLUGIN)
    return tree


def run_pytest(tree: Path, flavour: str, files: list[str], timeout: int) -> list[Path | str]:
    """Run ``files`` in ``tree``, one pytest subprocess per test directory (a directory's
    conftest that fails to import then fails only that directory). Returns per directory the
    JUnit XML report's path, or the reason no report was written."""
    env = dict(os.environ)
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["DSPY_CACHEDIR"] = str(tree / ".dspy_cache")
    env["DSPEX_CACHEDIR"] = str(tree / ".dspex_cache")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    paths = [str(tree)]
    if flavour == "dspex":
        paths.append(str(ROOT))
    env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in [env.get("PYTHONPATH")] if p])
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for name in files:
        if (tree / name).exists():
            groups[str(Path(name).parent)].append(name)
    reports: list[Path | str] = []
    started = time.perf_counter()
    for index, (directory, members) in enumerate(sorted(groups.items())):
        report = tree / f"report-{index}.xml"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django"]
        cmd += ["-p", "no:benchmark", f"--timeout={timeout}", f"--junitxml={report}", "-c", "pytest.ini"]
        cmd += ["--rootdir", str(tree), "--continue-on-collection-errors"]
        if flavour == "dspex":
            cmd += ["-p", "_dspex_alias_plugin"]
        proc = subprocess.run(cmd + members, cwd=tree, env=env, capture_output=True, text=True)
        if report.exists():
            reports.append(report)
        else:
            output = (proc.stdout + proc.stderr).splitlines()
            errors = [line[1:].strip() for line in output if line.startswith("E ")]
            reports.append(
                f"{directory}/conftest.py: " + (errors[-1] if errors else f"pytest exited {proc.returncode}")
            )
            for name in members:
                reports.append(name)  # a file of that directory, not run
    print(f"  {flavour}: {len(groups)} pytest runs in {time.perf_counter() - started:.0f}s")
    return reports


def reason_of(element: ET.Element) -> str:
    """Exception type and first line of a failure, error or collection error."""
    text = element.text or ""
    e_lines = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    first = next((line for line in e_lines if line), "")
    message = (element.get("message") or "").strip()
    if message and message not in {"collection failure", "failed on setup with"} and ":" in message:
        first = message.splitlines()[0]
    elif not first:
        first = message.splitlines()[0] if message else element.tag
    return first[:160]


def results(reports: list[Path | str]) -> dict[str, dict[str, Any]]:
    """Per test file: each test's outcome (``passed``/``failed``/``skipped``) and failure reasons,
    or the reason the file did not import."""
    per_file: dict[str, dict[str, Any]] = collections.defaultdict(lambda: {"tests": {}, "collection": None})
    not_run = ""
    for report in reports:
        if isinstance(report, str):
            if report.endswith(".py") and " " not in report:
                per_file[report]["collection"] = not_run
            else:
                not_run = report
            continue
        for case in ET.parse(report).getroot().iter("testcase"):
            file = case.get("file") or (case.get("classname", "").replace(".", "/") + ".py")
            name = f"{case.get('classname')}::{case.get('name')}"
            problem = next((child for child in case if child.tag in {"failure", "error"}), None)
            if problem is not None and not case.get("classname"):
                per_file[file]["collection"] = reason_of(problem)  # the file did not import
            elif problem is not None:
                per_file[file]["tests"][name] = ("failed", reason_of(problem))
            elif any(child.tag == "skipped" for child in case):
                per_file[file]["tests"][name] = ("skipped", "")
            else:
                per_file[file]["tests"][name] = ("passed", "")
    return dict(per_file)


def compare(on_dspy: dict[str, Any], on_dspex: dict[str, Any], files: list[str]) -> list[dict[str, Any]]:
    """Per file: tests passing on dspy, how many of those pass on dspex, and why the rest fail."""
    rows = []
    for file in files:
        reference = on_dspy.get(file, {"tests": {}, "collection": None})
        ours = on_dspex.get(file, {"tests": {}, "collection": None})
        passing = [name for name, (outcome, _) in reference["tests"].items() if outcome == "passed"]
        reasons: collections.Counter[str] = collections.Counter()
        ok = 0
        for name in passing:
            outcome, reason = ours["tests"].get(name, ("missing", ""))
            if outcome == "passed":
                ok += 1
            elif outcome == "missing":
                reasons[f"does not import: {ours['collection']}" if ours["collection"] else "not run"] += 1
            else:
                reasons[reason or outcome] += 1
        rows.append(
            {
                "file": file,
                "tests": len(reference["tests"]),
                "dspy_pass": len(passing),
                "dspex_pass": ok,
                "dspy_collection_error": reference["collection"],
                "reasons": reasons.most_common(),
            }
        )
    return rows


def print_rows(rows: list[dict[str, Any]], top: int) -> None:
    width = max(len(row["file"]) for row in rows)
    print(f"\n{'file'.ljust(width)}  tests  dspy  dspex  top failure reasons on dspex")
    for row in rows:
        reasons = "; ".join(f"{n}x {r[:90]}" for r, n in row["reasons"][:top])
        counts = f"{row['tests']:5d}  {row['dspy_pass']:4d}  {row['dspex_pass']:5d}"
        print(f"{row['file'].ljust(width)}  {counts}  {reasons}")
    dspy_total = sum(row["dspy_pass"] for row in rows)
    dspex_total = sum(row["dspex_pass"] for row in rows)
    share = 100 * dspex_total / dspy_total if dspy_total else 0.0
    counts = f"{sum(r['tests'] for r in rows):5d}  {dspy_total:4d}  {dspex_total:5d}"
    print(f"{'total'.ljust(width)}  {counts}  ({share:.0f}%)")
    overall: collections.Counter[str] = collections.Counter()
    for row in rows:
        for reason, n in row["reasons"]:
            overall[reason] += n
    print("\ncommonest failure reasons on dspex:")
    for reason, n in overall.most_common(top * 4):
        print(f"  {n:4d}  {reason}")


def markdown(rows: list[dict[str, Any]], top: int) -> str:
    """The per-file table for docs/dspy-compat.md."""
    lines = [
        "| file | tests | pass on dspy | pass on dspex | why the rest fail on dspex (tests) |",
        "|---|--:|--:|--:|---|",
    ]
    for row in rows:
        reasons = "; ".join(f"{r[:110]} ({n})".replace("|", "\\|") for r, n in row["reasons"][:top])
        lines.append(
            f"| `{row['file']}` | {row['tests']} | {row['dspy_pass']} | {row['dspex_pass']} | {reasons} |"
        )
    dspy_total = sum(row["dspy_pass"] for row in rows)
    dspex_total = sum(row["dspex_pass"] for row in rows)
    total = sum(row["tests"] for row in rows)
    lines.append(f"| **total** | {total} | {dspy_total} | {dspex_total} | |")
    return "\n".join(lines) + "\n"


def tree_digest(source: Path, files: list[str]) -> str:
    """A digest of the test tree and the selection: the dspy run's results are reused for it."""
    digest = hashlib.sha256(importlib.metadata.version("dspy").encode())
    for path in sorted((source / "tests").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    digest.update("\n".join(files).encode())
    return digest.hexdigest()[:16]


def reference_results(
    source: Path, work: Path, files: list[str], timeout: int, fresh: bool
) -> dict[str, Any]:
    """The dspy run's per-file results, from the cache when this tree and selection ran before."""
    cached = REFERENCE_CACHE / f"{tree_digest(source, files)}.json"
    if cached.exists() and not fresh:
        print(f"  dspy: results reused from {cached} (--fresh to rerun)")
        data: dict[str, Any] = json.loads(cached.read_text())
        return data
    data = results(run_pytest(prepare(source, work, "dspy"), "dspy", files, timeout))
    REFERENCE_CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(data))
    return data


def markdown_from(path: Path, top: int) -> str:
    """The Markdown table of a results file this runner wrote."""
    return markdown(json.loads(path.read_text())["files"], top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dspy-tests", type=Path, help="a DSPy checkout (or its tests/ directory)")
    parser.add_argument("--dspy-git", type=Path, help="a local DSPy clone or mirror (git dir)")
    parser.add_argument(
        "--ref", default=None, help="the tag or commit for --dspy-git (default: dspy's version)"
    )
    parser.add_argument(
        "--files", nargs="*", help="test files relative to the checkout (default: the offline set)"
    )
    parser.add_argument("--timeout", type=int, default=120, help="seconds per test")
    parser.add_argument("--top", type=int, default=3, help="failure reasons shown per file")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    parser.add_argument("--fresh", action="store_true", help="rerun dspy even if its results are cached")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    files = args.files or DEFAULT_FILES
    work = Path(tempfile.mkdtemp(prefix="dspy_compat_"))
    try:
        if args.dspy_tests:
            source, origin = tests_from_path(args.dspy_tests), str(args.dspy_tests)
        elif args.dspy_git:
            ref = args.ref or importlib.metadata.version("dspy")
            source, origin = tests_from_git(args.dspy_git, ref, work / "source"), f"git {ref}"
        else:
            source = tests_from_sdist(files)
            origin = f"sdist {source.name}"
        print(f"DSPy tests from {origin}; dspy {importlib.metadata.version('dspy')} installed")
        on_dspy = reference_results(source, work, files, args.timeout, args.fresh)
        on_dspex = results(run_pytest(prepare(source, work, "dspex"), "dspex", files, args.timeout))
        rows = compare(on_dspy, on_dspex, files)
        print_rows(rows, args.top)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "machine": machine(),
            "when": time.strftime("%Y-%m-%d %H:%M"),
            "dspy_version": importlib.metadata.version("dspy"),
            "tests_from": origin,
            "dspy_pass": sum(row["dspy_pass"] for row in rows),
            "dspex_pass": sum(row["dspex_pass"] for row in rows),
            "files": rows,
        }
        args.out.write_text(json.dumps(data, indent=2) + "\n")
        print(f"\nwrote {args.out}")
        if args.markdown:
            args.markdown.write_text(markdown(rows, args.top))
            print(f"wrote {args.markdown}")
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
