"""``load``: DSPy's whole-program loader, for JSON-only dspex.

DSPy's ``dspy.load(directory, allow_pickle=True)`` unpickles a program written by
``program.save(directory, save_program=True)`` (``metadata.json`` and a cloudpickle
``program.pkl``). dspex never loads pickle, so a program is rebuilt in code and its JSON state
loaded with :meth:`dspex.Module.load`; :func:`load` says so, naming what it found.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import NoReturn

from dspex.primitives.module import warn_on_version_mismatch

__all__ = ["load"]

logger = logging.getLogger(__name__)


def load(path: str | Path, allow_pickle: bool = False, allow_unsafe_lm_state: bool = False) -> NoReturn:
    """Refuse to load a whole saved program, with a message saying what to do instead.

    ``allow_pickle`` and ``allow_unsafe_lm_state`` are accepted for DSPy code and change nothing.
    A directory's ``metadata.json`` is still read, so version differences are logged as DSPy does.
    """
    path = Path(path)
    metadata_file = path / "metadata.json"
    if path.is_dir() and metadata_file.is_file():
        try:
            metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            metadata = None
        if isinstance(metadata, dict):
            warn_on_version_mismatch(metadata, logger)
    if path.is_dir() and (path / "program.pkl").exists():
        found = f"{path / 'program.pkl'} is a pickled program"
    elif path.is_dir():
        found = f"{path} holds no saved program"
    else:
        found = f"{path} is not a saved-program directory"
    raise ValueError(
        f"Loading with pickle is not allowed in dspex, whatever allow_pickle says: {found}. Build "
        "the program in code and load its JSON state with program.load('program.json')"
    )
