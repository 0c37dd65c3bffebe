"""Field declarations: ``InputField`` and ``OutputField``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from dspex.signatures.errors import SignatureError

__all__ = ["CONSTRAINT_NAMES", "FieldInfo", "InputField", "OutputField", "infer_prefix"]

# Constraint keyword -> the wording DSPy uses when it renders constraints in prompts.
# ``pattern`` is validated but, as in DSPy, not rendered.
CONSTRAINT_WORDING: dict[str, str] = {
    "gt": "greater than: ",
    "ge": "greater than or equal to: ",
    "lt": "less than: ",
    "le": "less than or equal to: ",
    "min_length": "minimum length: ",
    "max_length": "maximum length: ",
    "multiple_of": "a multiple of the given number: ",
    "allow_inf_nan": "allow 'inf', '-inf', 'nan' values: ",
}
CONSTRAINT_NAMES = (*CONSTRAINT_WORDING, "pattern")

_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


@dataclass(frozen=True)
class FieldInfo:
    """One input or output field of a signature.

    ``desc`` and ``prefix`` are stored the way DSPy stores them (``"${name}"`` and ``"Name:"``
    when not given) so that saved program state round-trips with DSPy.
    """

    kind: Literal["input", "output"]
    desc: str | None = None
    prefix: str | None = None
    annotation: Any = None
    constraints: dict[str, Any] = field(default_factory=dict)
    default: Any = _MISSING
    type_undefined: bool = False
    default_factory: Any = None  # called for each value, like pydantic's ``default_factory=list``

    @property
    def is_input(self) -> bool:
        """Whether this is an input field."""
        return self.kind == "input"

    @property
    def json_schema_extra(self) -> dict[str, Any]:
        """The field in DSPy's layout: ``{"__dspy_field_type": "input", "prefix": ..., "desc": ...}``
        (with ``"constraints"``, as rendered in prompts, when the field has any). A new dict each
        time: changing it does not change the field."""
        extra: dict[str, Any] = {"__dspy_field_type": self.kind, "prefix": self.prefix, "desc": self.desc}
        constraints = self.constraints_text()
        if constraints:
            extra["constraints"] = constraints
        return extra

    @property
    def has_default(self) -> bool:
        """Whether a ``default`` (or a ``default_factory``) was declared."""
        return self.default is not _MISSING or self.default_factory is not None

    def default_value(self) -> Any:
        """The value a missing field takes: a fresh ``default_factory()``, else ``default``."""
        if self.default_factory is not None:
            return self.default_factory()
        return self.default

    def constraints_text(self) -> str:
        """Human-readable constraints, as DSPy renders them (``"greater than: 0, ..."``)."""
        return ", ".join(
            f"{CONSTRAINT_WORDING[name]}{value}"
            for name, value in self.constraints.items()
            if name in CONSTRAINT_WORDING
        )

    def bind(self, name: str, annotation: Any, type_undefined: bool = False) -> FieldInfo:
        """Return a copy completed for field ``name`` (type and DSPy-style defaults)."""
        return replace(
            self,
            annotation=annotation,
            desc=self.desc if self.desc is not None else f"${{{name}}}",
            prefix=self.prefix if self.prefix is not None else infer_prefix(name) + ":",
            type_undefined=type_undefined,
        )

    def replace(self, **changes: Any) -> FieldInfo:
        """A copy with ``changes`` applied (the field is immutable)."""
        return replace(self, **changes)

    def __hash__(self) -> int:
        return hash((self.kind, self.desc, self.prefix, repr(self.annotation)))


def _make_field(kind: Literal["input", "output"], kwargs: dict[str, Any]) -> FieldInfo:
    desc = kwargs.pop("desc", None)
    description = kwargs.pop("description", None)
    if desc is None:
        desc = description
    prefix = kwargs.pop("prefix", None)
    default = kwargs.pop("default", _MISSING)
    default_factory = kwargs.pop("default_factory", None)
    if default_factory is not None and (default is not _MISSING or not callable(default_factory)):
        raise TypeError(f"{kind.capitalize()}Field() takes a callable default_factory, without a default")
    annotation = kwargs.pop("annotation", None)
    for deprecated in ("format", "parser"):
        kwargs.pop(deprecated, None)
    constraints = {name: kwargs.pop(name) for name in list(kwargs) if name in CONSTRAINT_NAMES}
    if kwargs:
        unknown = ", ".join(sorted(kwargs))
        raise TypeError(f"{kind.capitalize()}Field() got unexpected keyword argument(s): {unknown}")
    if "pattern" in constraints:
        try:
            re.compile(constraints["pattern"])
        except (re.error, TypeError) as exc:
            raise SignatureError(f"invalid pattern {constraints['pattern']!r}: {exc}") from None
    return FieldInfo(
        kind=kind,
        desc=desc,
        prefix=prefix,
        annotation=annotation,
        constraints=constraints,
        default=default,
        default_factory=default_factory,
    )


def InputField(**kwargs: Any) -> Any:
    """Declare an input field: ``question: str = InputField(desc="...")``.

    Accepts ``desc`` (or ``description``), ``prefix``, ``default`` (or ``default_factory``) and
    the constraints ``gt, ge, lt, le, min_length, max_length, multiple_of, pattern``.
    """
    return _make_field("input", kwargs)


def OutputField(**kwargs: Any) -> Any:
    """Declare an output field: ``answer: int = OutputField(desc="...", ge=0)``."""
    return _make_field("output", kwargs)


def infer_prefix(name: str) -> str:
    """Turn a field name into a title: ``"snake_case"`` -> ``"Snake Case"``, ``"HTMLParser"`` ->
    ``"HTML Parser"``, ``"text2number"`` -> ``"Text 2 Number"`` (DSPy's rule)."""
    spaced = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", spaced)
    spaced = re.sub(r"([a-zA-Z])(\d)", r"\1_\2", spaced)
    spaced = re.sub(r"(\d)([a-zA-Z])", r"\1_\2", spaced)
    return " ".join(w if w.isupper() else w.capitalize() for w in spaced.split("_"))
