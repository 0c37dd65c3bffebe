"""Program versions as files in DSPy's ``save()`` layout.

An exported version is what ``program.save("program.json")`` writes (dspy's or dspex's): the
module state, predictor path -> demos, signature and ``lm``, plus a ``metadata`` entry. Real dspy
reads it with ``program.load("program.json")``; a file saved by dspy (or dspex) is read back as a
new version. Only JSON: pickle is never read, and LM entries never choose an endpoint or a key
(``programs.gateway.modules.check_state``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from core import safe_input
from core.parsers import max_upload_bytes
from programs.gateway.modules import saved_file_metadata
from programs.models import ProgramVersion

__all__ = ["VersionFile", "read_version_file", "version_document", "version_file"]


def version_document(version: ProgramVersion) -> dict[str, Any]:
    """The version's state with the ``metadata`` entry a saved program carries."""
    document = dict(version.state)
    document["metadata"] = {
        **saved_file_metadata(),
        "program": version.program.name,
        "version": version.number,
    }
    return document


@dataclass(frozen=True)
class VersionFile:
    """An exported version: its file name and JSON text."""

    filename: str
    text: str

    def response(self) -> HttpResponse:
        """The file as a download."""
        response = HttpResponse(self.text, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return response


def version_file(version: ProgramVersion) -> VersionFile:
    """The version as a file named ``<program>-v<number>.json``."""
    safe_name = "".join(c if c.isalnum() or c in "-_." else "-" for c in version.program.name)
    text = json.dumps(version_document(version), indent=2, ensure_ascii=False)
    return VersionFile(f"{safe_name}-v{version.number}.json", text)


def read_version_file(file: IO[bytes]) -> dict[str, Any]:
    """The module state in a saved program file (``metadata`` dropped): a ``ValidationError`` on
    ``file`` when it is too large, not UTF-8 JSON, too deep, or not an object."""
    limit = max_upload_bytes()
    raw = file.read(limit + 1)
    if len(raw) > limit:
        raise ValidationError(
            {"file": f"the file is larger than {limit} bytes (DSPEX_MAX_UPLOAD_BYTES)"}, code="too_large"
        )
    try:
        state = safe_input.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": f"the file is not UTF-8 text ({exc.reason})"}) from None
    except ValueError as exc:  # JSONDecodeError, JSONTooDeep
        raise ValidationError({"file": f"the file is not a saved program's JSON ({exc})"}) from None
    if not isinstance(state, dict):
        raise ValidationError({"file": "a saved program is a JSON object of predictor states"})
    state.pop("metadata", None)
    return state
