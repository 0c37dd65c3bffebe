"""Static shapes of pipeline values, to check references before anything runs.

A module step's value is an object with its output fields; a map's value is a list; a
conditional's value is the value of the last step of the branch taken; pipeline inputs are the
object ``$``. Expressions are checked against the names visible at their step: unknown names,
steps that have not run yet and output fields a step does not have are errors with a position.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dspex.pipelines.expressions import Expression, ExpressionError
from dspex.pipelines.expressions.nodes import Field, Index, Literal, Name, Node, Root, children

__all__ = ["ANY", "Binding", "Fields", "ListOf", "Shape", "StaticScope", "check_expression", "common_shape"]


class Shape:
    """Anything: fields and indexes are not checked."""

    def __repr__(self) -> str:
        return "ANY"


ANY = Shape()


@dataclass(eq=False)
class Fields(Shape):
    """An object with known fields (``label`` says whose: "step 'draft'")."""

    fields: dict[str, Shape]
    label: str

    def __repr__(self) -> str:
        return f"Fields({sorted(self.fields)})"


@dataclass(eq=False)
class ListOf(Shape):
    """A list whose items have shape ``item``."""

    item: Shape
    label: str

    def __repr__(self) -> str:
        return f"ListOf({self.item!r})"


def common_shape(first: Shape | None, second: Shape | None) -> Shape:
    """What two values have in common (a conditional's branches): shared fields, else ANY."""
    if isinstance(first, Fields) and isinstance(second, Fields):
        shared = {
            name: shape if shape is second.fields[name] else ANY
            for name, shape in first.fields.items()
            if name in second.fields
        }
        return Fields(shared, first.label)
    if isinstance(first, ListOf) and isinstance(second, ListOf):
        return ListOf(common_shape(first.item, second.item), first.label)
    return ANY


@dataclass(frozen=True)
class Binding:
    """A visible name: its shape, what it is ("step", "loop variable", "input") and where."""

    shape: Shape
    what: str
    path: str


@dataclass
class StaticScope:
    """Names visible at one point of the spec, innermost last; ``elsewhere`` knows every step id
    of the spec (with its path) to explain why one is not visible here."""

    inputs: Fields
    bindings: dict[str, Binding] = field(default_factory=dict)
    elsewhere: dict[str, str] = field(default_factory=dict)

    def child(self) -> StaticScope:
        return StaticScope(self.inputs, dict(self.bindings), self.elsewhere)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.pop(name, None)
        self.bindings[name] = binding  # re-inserted: the latest binding comes last

    def lookup(self, name: str) -> Shape | None:
        binding = self.bindings.get(name)
        if binding is not None:
            return binding.shape
        if name in self.inputs.fields:
            return ANY
        return None

    def visible_names(self) -> list[str]:
        return sorted({*self.bindings, *self.inputs.fields})


def check_expression(expression: Expression, scope: StaticScope) -> Shape:
    """The shape of ``expression``'s value; :class:`ExpressionError` for a bad reference."""
    return _Checker(expression, scope).shape(expression.tree)


class _Checker:
    def __init__(self, expression: Expression, scope: StaticScope) -> None:
        self.expression = expression
        self.scope = scope

    def fail(self, reason: str, node: Node) -> ExpressionError:
        return self.expression.error(reason, node.position)

    def shape(self, node: Node) -> Shape:
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Root):
            return self.scope.inputs
        if isinstance(node, Field):
            return self.field(self.shape(node.base), node.name, node)
        if isinstance(node, Index):
            base = self.shape(node.base)
            self.shape(node.index)
            if isinstance(node.index, Literal) and isinstance(node.index.value, str):
                if isinstance(base, ListOf):
                    raise self.fail(f"{base.label} is a list: index it with a number", node)
                return self.field(base, node.index.value, node)
            return base.item if isinstance(base, ListOf) else ANY
        for child in children(node):
            self.shape(child)
        return ANY

    def name(self, node: Name) -> Shape:
        found = self.scope.lookup(node.name)
        if found is not None:
            return found
        where = self.scope.elsewhere.get(node.name)
        if where is not None:
            raise self.fail(
                f"step {node.name!r} (at {where}) is not available here: a step can use only steps "
                "that finished before it, outside conditional branches and map bodies (give the "
                "conditional or map an id and use that)",
                node,
            )
        visible = ", ".join(self.scope.visible_names()) or "none"
        raise self.fail(f"unknown name {node.name!r} (available here: {visible})", node)

    def field(self, base: Shape, name: str, node: Node) -> Shape:
        if isinstance(base, Fields):
            if name not in base.fields:
                known = ", ".join(sorted(base.fields)) or "none"
                raise self.fail(f"{base.label} has no field {name!r} (it has: {known})", node)
            return base.fields[name]
        if isinstance(base, ListOf):
            raise self.fail(
                f"{base.label} is a list: index it (e.g. [0]) or use len() before reading {name!r}", node
            )
        return ANY
