"""``Signature``: the typed input/output contract of an LM call.

A signature is a class. Build one from a string (``Signature("question -> answer: int")``), from
class syntax, or from a dict of fields; derive new ones with ``with_instructions``, ``append``,
``prepend``, ``insert``, ``delete`` and ``with_updated_fields``. Signatures are immutable values:
every derivation returns a new class.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
import typing
from collections.abc import Mapping
from types import FrameType
from typing import Any, ClassVar, cast

from dspex.signatures import validation
from dspex.signatures.errors import FieldDeclarationError, SignatureError
from dspex.signatures.field import CONSTRAINT_NAMES, FieldInfo, InputField, OutputField
from dspex.signatures.parser import BUILTIN_TYPE_NAMES, UNKNOWN_TYPE, parse_signature

__all__ = ["Signature", "SignatureMeta", "ensure_signature", "make_signature"]

_TYPE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_KNOWN = BUILTIN_TYPE_NAMES | {"True", "False"}  # names that never need a caller lookup
_FIELD_OPTIONS = frozenset({"desc", "description", "prefix", "default"})


def default_instructions(input_names: list[str], output_names: list[str]) -> str:
    """DSPy's default instructions: ``Given the fields `a`, produce the fields `b`.``"""
    inputs = ", ".join(f"`{name}`" for name in input_names)
    outputs = ", ".join(f"`{name}`" for name in output_names)
    return f"Given the fields {inputs}, produce the fields {outputs}."


def _class_annotations(cls: type, namespace: dict[str, Any]) -> dict[str, Any]:
    raw = namespace.get("__annotations__", {})
    if not raw:
        return {}
    try:
        hints = typing.get_type_hints(cls, include_extras=True)
    except Exception as exc:
        raise SignatureError(f"cannot resolve the field types of {cls.__name__}: {exc}") from exc
    return {key: hints.get(key, value) for key, value in raw.items()}


class SignatureMeta(type):
    """Metaclass: collects fields at class creation and makes ``Signature("a -> b")`` build a class."""

    _fields: dict[str, FieldInfo]
    _input_fields: dict[str, FieldInfo]
    _output_fields: dict[str, FieldInfo]
    _instructions: str
    _cache: dict[str, Any]

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if cls is Signature:
            if args and isinstance(args[0], str) and "custom_types" not in kwargs:
                return _make_with_caller_types(sys._getframe(1), *args, **kwargs)
            return make_signature(*args, **kwargs)
        if args:
            raise TypeError(f"{cls.__name__}(...) takes the field values as keywords (name=value)")
        return _instance(cls, kwargs)

    def __new__(
        mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> SignatureMeta:
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        fields: dict[str, FieldInfo] = {}
        for base in reversed(cls.__mro__[1:]):
            fields.update(getattr(base, "_fields", {}) if isinstance(base, SignatureMeta) else {})
        annotations = _class_annotations(cls, namespace)
        for attr, value in namespace.items():
            if isinstance(value, FieldInfo):
                declared = annotations.get(attr, value.annotation)
                if attr.startswith("_"):
                    raise SignatureError(f"field name {attr!r} in {name} must not start with '_'")
                fields[attr] = value.bind(
                    attr, str if declared is None else declared, type_undefined=declared is None
                )
        for attr in annotations:
            if attr not in fields and not attr.startswith("_") and attr not in ("instructions",):
                raise FieldDeclarationError(
                    f"field `{attr}` in {name} must be declared with InputField() or OutputField()"
                )
        doc = namespace.get("__doc__")
        if doc is None:
            doc = next((b._instructions for b in bases if isinstance(b, SignatureMeta) and b._fields), None)
        cls._set_fields(fields)
        cls._instructions = (
            inspect.cleandoc(doc)
            if doc
            else default_instructions(list(cls._input_fields), list(cls._output_fields))
        )
        return cls

    def _set_fields(cls, fields: dict[str, FieldInfo]) -> None:
        for name, field in fields.items():
            validation.check_field(name, field, owner=cls.__name__)
        inputs = {k: v for k, v in fields.items() if v.kind == "input"}
        outputs = {k: v for k, v in fields.items() if v.kind == "output"}
        cls._input_fields = inputs
        cls._output_fields = outputs
        cls._fields = {**inputs, **outputs}
        cls._cache = {}

    # -- read API ---------------------------------------------------------------------------
    @property
    def instructions(cls) -> str:
        """The task description (the class docstring, or DSPy's default sentence)."""
        return cls._instructions

    @instructions.setter
    def instructions(cls, value: str) -> None:
        """Replace the instructions in place (DSPy compatibility; prefer ``with_instructions``)."""
        cls._instructions = inspect.cleandoc(value)  # DSPy reads instructions through cleandoc
        cls._cache = {}

    @property
    def fields(cls) -> dict[str, FieldInfo]:
        """All fields, inputs first, in declaration order."""
        return cls._fields

    @property
    def input_fields(cls) -> dict[str, FieldInfo]:
        """The input fields, in declaration order."""
        return cls._input_fields

    @property
    def output_fields(cls) -> dict[str, FieldInfo]:
        """The output fields, in declaration order."""
        return cls._output_fields

    @property
    def signature(cls) -> str:
        """The ``"a, b -> c"`` form (names only)."""
        return f"{', '.join(cls._input_fields)} -> {', '.join(cls._output_fields)}"

    def __eq__(cls, other: object) -> bool:
        if cls is other:
            return True
        if not isinstance(other, SignatureMeta):
            return NotImplemented
        return cls._instructions == other._instructions and _comparable(cls) == _comparable(other)

    def __hash__(cls) -> int:
        return hash((cls._instructions, tuple(cls._fields)))

    def __repr__(cls) -> str:
        lines = [
            f"{name}: {_type_repr(f.annotation)} = {f.kind.capitalize()}Field(desc={f.desc!r})"
            for name, f in cls._fields.items()
        ]
        body = "\n    ".join(lines)
        return f"{cls.__name__}({cls.signature}\n    instructions={cls._instructions!r}\n    {body}\n)"


class Signature(metaclass=SignatureMeta):
    """Base class of all signatures. See the module docstring."""

    _fields: ClassVar[dict[str, FieldInfo]] = {}

    # -- derivations (each returns a new class) ---------------------------------------------
    @classmethod
    def with_instructions(cls, instructions: str) -> type[Signature]:
        """A copy with other instructions."""
        return make_signature(dict(cls.fields), instructions, signature_name=cls.__name__)

    @classmethod
    def append_instructions(cls, instructions: str) -> type[Signature]:
        """A copy whose instructions end with ``instructions`` as a new paragraph."""
        return cls.with_instructions(f"{cls.instructions}\n\n{instructions}")

    @classmethod
    def with_updated_fields(cls, name: str, type_: Any = None, **changes: Any) -> type[Signature]:
        """Return a copy where field ``name`` has a new type and/or new ``desc`` (or
        ``description``), ``prefix``, ``default`` or constraints (``ge=0``, ``max_length=5``, ...).

        Raises :class:`SignatureError` for an unknown field or option.
        """
        if name not in cls.fields:
            raise SignatureError(f"{cls.__name__} has no field {name!r}")
        unknown = sorted(set(changes) - _FIELD_OPTIONS - set(CONSTRAINT_NAMES))
        if unknown:
            raise SignatureError(
                f"with_updated_fields({name!r}) got unknown option(s) {', '.join(unknown)}; expected "
                f"desc, description, prefix, default or a constraint ({', '.join(CONSTRAINT_NAMES)})"
            )
        field = cls.fields[name]
        updates: dict[str, Any] = {}
        constraints = dict(field.constraints)
        for key, value in changes.items():
            if key in _FIELD_OPTIONS:
                updates["desc" if key == "description" else key] = value
            else:
                constraints[key] = value
        updates["constraints"] = constraints
        if type_ is not None:
            updates["annotation"] = type_
            updates["type_undefined"] = False
        fields = dict(cls.fields)
        fields[name] = field.replace(**updates)
        return make_signature(fields, cls.instructions, signature_name=cls.__name__)

    @classmethod
    def prepend(cls, name: str, field: FieldInfo, type_: Any = None) -> type[Signature]:
        """A copy with ``field`` first among the inputs or the outputs (by its kind)."""
        return cls.insert(0, name, field, type_)

    @classmethod
    def append(cls, name: str, field: FieldInfo, type_: Any = None) -> type[Signature]:
        """A copy with ``field`` last among the inputs or the outputs (by its kind)."""
        return cls.insert(-1, name, field, type_)

    @classmethod
    def insert(cls, index: int, name: str, field: FieldInfo, type_: Any = None) -> type[Signature]:
        """Insert a field among the inputs or outputs (by the field's kind); ``-1`` appends."""
        if name in cls.fields:
            raise SignatureError(f"{cls.__name__} already has a field {name!r}")
        annotation = type_ if type_ is not None else (field.annotation or str)
        bound = field.bind(name, annotation, type_undefined=type_ is None and field.annotation is None)
        same = list((cls.input_fields if field.kind == "input" else cls.output_fields).items())
        if index < 0:
            index += len(same) + 1
        if not 0 <= index <= len(same):
            raise SignatureError(
                f"invalid index {index} to insert {field.kind} field {name!r}: "
                f"must be between 0 and {len(same)}"
            )
        same.insert(index, (name, bound))
        if field.kind == "input":
            fields = dict(same) | dict(cls.output_fields)
        else:
            fields = dict(cls.input_fields) | dict(same)
        return make_signature(fields, cls.instructions, signature_name=cls.__name__)

    @classmethod
    def delete(cls, name: str) -> type[Signature]:
        """A copy without field ``name`` (unchanged when there is no such field)."""
        fields = {k: v for k, v in cls.fields.items() if k != name}
        return _build(fields, cls.instructions, cls.__name__)

    @classmethod
    def equals(cls, other: Any) -> bool:
        """Same fields (names, kinds, types, descriptions, constraints) and instructions."""
        return isinstance(other, SignatureMeta) and cls == other

    # -- state (DSPy layout) -----------------------------------------------------------------
    @classmethod
    def dump_state(cls) -> dict[str, Any]:
        """Instructions and per-field prefix/description, in DSPy's layout."""
        return {
            "instructions": cls.instructions,
            "fields": [{"prefix": f.prefix, "description": f.desc} for f in cls.fields.values()],
        }

    @classmethod
    def load_state(cls, state: Mapping[str, Any]) -> type[Signature]:
        """A copy with the instructions, prefixes and descriptions of ``state`` (types are kept)."""
        fields = dict(cls.fields)
        for (name, field), saved in zip(fields.items(), state.get("fields", []), strict=False):
            fields[name] = field.replace(
                prefix=saved.get("prefix", field.prefix), desc=saved.get("description", field.desc)
            )
        return make_signature(
            fields, state.get("instructions", cls.instructions), signature_name=cls.__name__
        )

    # -- validation and schema ------------------------------------------------------------------
    @classmethod
    def validate_inputs(cls, values: Mapping[str, Any], *, allow_extra: bool = False) -> dict[str, Any]:
        """Coerce the inputs of a call to their types; :class:`FieldValidationError` names the field,
        the expected type and the value when one does not fit (or is missing, or unknown)."""
        return validation.validate_inputs(cls.input_fields, values, allow_extra=allow_extra)

    @classmethod
    def validate_outputs(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Coerce parsed outputs to their types and check their constraints."""
        return validation.validate_outputs(cls.output_fields, values)

    @classmethod
    def input_schema(cls) -> dict[str, Any]:
        """JSON schema (an object) of the input fields, with descriptions and constraints."""
        return validation.fields_json_schema(cls.input_fields, title=f"{cls.__name__}Inputs")

    @classmethod
    def output_schema(cls) -> dict[str, Any]:
        """JSON schema (an object) of the output fields, with descriptions and constraints."""
        return validation.fields_json_schema(cls.output_fields, title=f"{cls.__name__}Outputs")


def make_signature(
    signature: str | Mapping[str, Any],
    instructions: str | None = None,
    signature_name: str = "StringSignature",
    custom_types: Mapping[str, Any] | None = None,
) -> type[Signature]:
    """Build a Signature class from a string or a dict ``{name: FieldInfo | (type, FieldInfo)}``."""
    fields: dict[str, FieldInfo] = {}
    if isinstance(signature, str):
        for parsed in parse_signature(signature, custom_types):
            declare = InputField if parsed.side == "input" else OutputField
            fields[parsed.name] = declare().bind(parsed.name, parsed.annotation, parsed.type_undefined)
    elif isinstance(signature, Mapping):
        for name, value in signature.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise SignatureError(f"field names must be identifiers, got {name!r}")
            annotation: Any = None
            if isinstance(value, tuple):
                if len(value) != 2 or not isinstance(value[1], FieldInfo):
                    raise SignatureError(f"field {name!r}: expected (type, InputField()/OutputField())")
                annotation, value = value
            if not isinstance(value, FieldInfo):
                raise SignatureError(f"field {name!r}: expected InputField()/OutputField(), got {value!r}")
            if annotation is None and value.annotation is not None and value.desc is not None:
                fields[name] = value  # already bound (copied from another signature)
            else:
                declared = annotation if annotation is not None else value.annotation
                undefined = declared is None or (annotation is None and value.type_undefined)
                fields[name] = value.bind(name, declared if declared is not None else str, undefined)
    else:
        raise SignatureError(
            f"a signature must be a string or a dict of fields, got {type(signature).__name__}"
        )
    if not any(f.kind == "output" for f in fields.values()):
        raise SignatureError("a signature needs at least one output field")
    return _build(fields, instructions, signature_name)


def _build(fields: dict[str, FieldInfo], instructions: str | None, signature_name: str) -> type[Signature]:
    """The signature class of checked ``fields``. Without outputs only by :meth:`Signature.delete`
    (an adapter removes the outputs a native LM feature fills, e.g. tool calls)."""
    namespace: dict[str, Any] = {"__doc__": instructions, "__module__": __name__}
    # A class made by the metaclass from Signature: type[Signature], which mypy cannot infer.
    cls = cast("type[Signature]", SignatureMeta(signature_name, (Signature,), namespace))
    cls._set_fields(fields)
    if instructions is None:
        cls._instructions = default_instructions(list(cls.input_fields), list(cls.output_fields))
    else:
        cls._instructions = inspect.cleandoc(instructions)  # as DSPy reads them
    return cls


def ensure_signature(signature: str | type[Signature], instructions: str | None = None) -> type[Signature]:
    """Accept a string or a Signature class and return a Signature class."""
    if isinstance(signature, str):
        return _make_with_caller_types(sys._getframe(1), signature, instructions)
    if isinstance(signature, SignatureMeta):
        if instructions is not None:
            return signature.with_instructions(instructions)
        return signature
    raise SignatureError(f"expected a signature string or Signature class, got {type(signature).__name__}")


def _make_with_caller_types(caller: FrameType, spec: str, *args: Any, **kwargs: Any) -> type[Signature]:
    """Build from ``spec``; only when it names a type we don't know, look the names up in the
    caller's scope (as DSPy does) and build again with them as ``custom_types``."""
    try:
        return make_signature(spec, *args, **kwargs)
    except SignatureError as exc:
        if not exc.reason.startswith(UNKNOWN_TYPE):
            raise
        found = _types_in_scope(spec, caller)
        if not found:
            raise
    return make_signature(spec, *args, **{**kwargs, "custom_types": found})


def _types_in_scope(spec: str, frame: FrameType | None) -> dict[str, Any]:
    """Types, modules and generic aliases named in ``spec``, from ``frame`` and the frames above."""
    wanted = {m.split(".")[0] for m in _TYPE_NAME.findall(spec.replace("->", " "))} - _KNOWN
    found: dict[str, Any] = {}
    hops = 0
    while frame is not None and wanted and hops < 50:
        for name in list(wanted):
            for scope in (frame.f_locals, frame.f_globals):
                value = scope.get(name)
                if isinstance(value, type) or inspect.ismodule(value) or typing.get_origin(value) is not None:
                    found[name] = value
                    wanted.discard(name)
                    break
        frame = frame.f_back
        hops += 1
    return found


def _instance(cls: SignatureMeta, values: dict[str, Any]) -> Any:
    """``MySignature(question=..., answer=...)``: an object holding one value per field."""
    unknown = [name for name in values if name not in cls._fields]
    if unknown:
        raise TypeError(f"{cls.__name__} has no fields {unknown} (it has {list(cls._fields)})")
    missing = [name for name, f in cls._fields.items() if name not in values and not f.has_default]
    if missing:
        raise TypeError(f"{cls.__name__}(...) is missing values for the fields {missing}")
    instance: Any = type.__call__(cast("type[Signature]", cls))  # the plain object, no metaclass hook
    for name, f in cls._fields.items():
        instance.__dict__[name] = values[name] if name in values else f.default_value()
    return instance


def _comparable(cls: SignatureMeta) -> list[tuple[Any, ...]]:
    return [
        (name, f.kind, f.desc, f.prefix, _type_key(f.annotation), tuple(sorted(f.constraints.items())))
        for name, f in cls._fields.items()
    ]


def _type_key(annotation: Any) -> str:
    """A text that is the same for equal types however spelled (``int | str``, ``Union[int, str]``)."""
    origin = typing.get_origin(annotation)
    if origin is None:
        return repr(annotation)
    args = typing.get_args(annotation)
    if origin in (types.UnionType, typing.Union):
        return "Union[" + ", ".join(sorted(_type_key(a) for a in args)) + "]"
    return f"{origin!r}[{', '.join(_type_key(a) for a in args)}]"


def _type_repr(annotation: Any) -> str:
    return annotation.__name__ if isinstance(annotation, type) else repr(annotation).replace("typing.", "")
