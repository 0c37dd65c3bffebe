"""Make ``import dspy`` (and every ``dspy.*`` submodule) resolve to :mod:`dspex.compat.dspy`.

Meant for running code written against dspy unchanged, such as DSPy's own test suite
(``bench/dspy_compat.py``): call :func:`install` before anything imports dspy. The real dspy
package can then no longer be imported in this process, so the engine's hybrid backend, which
calls the real dspy, must not be used while the alias is installed (``configure(backend="native")``).
A ``dspy.x`` submodule that the compatibility namespace does not mirror fails to import with a
message saying so.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["install", "installed", "uninstall"]

_ALIASED = "dspy"
_TARGET = "dspex.compat.dspy"


class _AliasLoader(importlib.abc.Loader):
    """Loads ``dspy.x`` as the already importable ``dspex.compat.dspy.x`` module object."""

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self.target)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the target module was executed when it was imported."""


class _MissingLoader(importlib.abc.Loader):
    """Fails the import of a ``dspy.x`` that the compatibility namespace does not mirror."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        raise ModuleNotFoundError(
            f"{spec.name} is not supported by dspex yet (dspex.compat.dspy has no such module; "
            "see docs/dspy-compat.md)",
            name=spec.name,
        )

    def exec_module(self, module: ModuleType) -> None:
        """Never reached: :meth:`create_module` raises."""


class _DspyAliasFinder(importlib.abc.MetaPathFinder):
    """Answers every ``dspy`` / ``dspy.*`` import before the real package can be found."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _ALIASED and not fullname.startswith(_ALIASED + "."):
            return None
        mapped = _TARGET + fullname[len(_ALIASED) :]
        try:
            found = importlib.util.find_spec(mapped)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return importlib.machinery.ModuleSpec(fullname, _MissingLoader())
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(mapped), is_package=found.submodule_search_locations is not None
        )


_finder = _DspyAliasFinder()


def install() -> None:
    """Resolve ``dspy`` to :mod:`dspex.compat.dspy` from now on in this process.

    Raises :class:`RuntimeError` if the real dspy is already imported (its objects would mix with
    dspex's).
    """
    real = sys.modules.get(_ALIASED)
    if real is not None and not real.__name__.startswith(_TARGET):
        raise RuntimeError("the real dspy is already imported; install the alias before anything imports it")
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def installed() -> bool:
    """Whether :func:`install` is in effect."""
    return _finder in sys.meta_path


def uninstall() -> None:
    """Stop resolving ``dspy`` to dspex and forget the aliased modules already imported."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if n == _ALIASED or n.startswith(_ALIASED + ".")]:
        if sys.modules[name].__name__.startswith(_TARGET):
            del sys.modules[name]
