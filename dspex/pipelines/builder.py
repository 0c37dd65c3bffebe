"""Turn a pipeline spec (plain JSON data) into a :class:`Plan` and its modules, or report every
problem with a path into the spec."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from dspex.modules.registry import UnknownModuleError, get_module_type
from dspex.pipelines.errors import PipelineIssue, PipelineValidationError
from dspex.pipelines.expressions import Budget, Expression, ExpressionError
from dspex.pipelines.expressions.tokenizer import KEYWORDS
from dspex.pipelines.plan import ConditionalStep, MapStep, ModuleStep, ParallelStep, Plan, Step
from dspex.pipelines.shapes import (
    ANY,
    Binding,
    Fields,
    ListOf,
    Shape,
    StaticScope,
    check_expression,
    common_shape,
)
from dspex.settings import settings
from dspex.signatures.errors import SignatureError
from dspex.signatures.signature import Signature, make_signature

__all__ = ["BACKENDS", "MAX_NESTING", "MAX_STEPS", "ToolResolver", "build_plan"]

ToolResolver = Callable[[str], Any]

BACKENDS = ("auto", "native", "dspy")
MAX_STEPS = 200
MAX_NESTING = 8
DEFAULT_MAX_CONCURRENCY = 8
DEFAULT_MAX_ITEMS = 1000
RESERVED_OUTPUTS = frozenset({"steps"})
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TOP_KEYS = frozenset({"inputs", "outputs", "steps", "output_map", "name", "description"})
_STEP_KEYS = {
    "module": frozenset(
        {"id", "kind", "module", "signature", "instructions", "inputs", "config", "tools", "backend"}
    ),
    "parallel": frozenset({"id", "kind", "steps"}),
    "conditional": frozenset({"id", "kind", "if", "then", "else"}),
    "map": frozenset(
        {"id", "kind", "over", "as", "index", "steps", "collect", "max_concurrency", "max_items"}
    ),
}
_COMMON_KEYS = frozenset({"description"})


def build_plan(
    spec: Mapping[str, Any] | str, tool_resolver: ToolResolver | None = None
) -> tuple[Plan, dict[str, Any]]:
    """The plan of ``spec`` and its modules by step id, in spec order.

    Raises :class:`PipelineValidationError` listing every problem found.
    """
    builder = _Builder(tool_resolver)
    plan = builder.build(spec)
    if builder.issues or plan is None:
        raise PipelineValidationError(builder.issues)
    return plan, builder.modules


class _Builder:
    def __init__(self, tool_resolver: ToolResolver | None) -> None:
        self.tool_resolver = tool_resolver
        self.issues: list[PipelineIssue] = []
        self.modules: dict[str, Any] = {}
        self.ids: dict[str, str] = {}
        self.count = 0
        self.input_names: set[str] = set()
        # Constant expressions are evaluated once here, all against one budget: one that could
        # never fit is a validation error, not a failure of every run.
        self.budget = Budget(settings.pipeline_limits)

    def issue(self, path: str, message: str) -> None:
        self.issues.append(PipelineIssue(path, message))

    # -- top level --------------------------------------------------------------------------
    def build(self, spec: Mapping[str, Any] | str) -> Plan | None:
        if isinstance(spec, str):
            try:
                spec = json.loads(spec)
            except ValueError as exc:
                self.issue("", f"the spec is not valid JSON: {exc}")
                return None
        if not isinstance(spec, Mapping):
            self.issue("", f"a pipeline spec is a JSON object, got {type(spec).__name__}")
            return None
        for key in spec:
            if key not in _TOP_KEYS:
                self.issue(str(key), f"unknown key (expected: {', '.join(sorted(_TOP_KEYS))})")
        signature = self.signature_of(spec)
        if signature is None:
            return None
        self.input_names = set(signature.input_fields)
        steps_spec = spec.get("steps")
        if not isinstance(steps_spec, list) or not steps_spec:
            self.issue("steps", "a pipeline needs a non-empty list of steps")
            return None
        self.collect_ids(steps_spec, "steps", 1)
        if self.count > MAX_STEPS:
            self.issue("steps", f"too many steps ({self.count}, at most {MAX_STEPS})")
            return None
        inputs = Fields(dict.fromkeys(signature.input_fields, ANY), "the pipeline inputs ($)")
        scope = StaticScope(inputs, elsewhere=dict(self.ids))
        steps, _ = self.sequence(steps_spec, "steps", scope)
        output_map = self.outputs(spec.get("output_map"), signature, scope)
        return Plan(signature, steps, output_map)

    def signature_of(self, spec: Mapping[str, Any]) -> type[Signature] | None:
        inputs = self.name_list(spec.get("inputs", []), "inputs", allow_empty=True)
        outputs = self.name_list(spec.get("outputs"), "outputs", allow_empty=False)
        if inputs is None or outputs is None:
            return None
        ok = True
        for side, names in (("inputs", inputs), ("outputs", outputs)):
            for index, entry in enumerate(names):
                probe = f"{entry} -> probe_" if side == "inputs" else f"probe_ -> {entry}"
                try:
                    make_signature(probe)
                except SignatureError as exc:
                    self.issue(f"{side}[{index}]", f"invalid field {entry!r}: {exc.reason}")
                    ok = False
        if not ok:
            return None
        try:
            signature = make_signature(f"{', '.join(inputs)} -> {', '.join(outputs)}")
        except SignatureError as exc:
            self.issue("outputs", f"inputs and outputs: {exc.reason}")
            return None
        for name in signature.output_fields:
            if name in RESERVED_OUTPUTS:
                self.issue("outputs", f"`{name}` is reserved (Prediction.steps holds the step records)")
        return signature

    def name_list(self, value: Any, path: str, *, allow_empty: bool) -> list[str] | None:
        if value is None or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.issue(path, 'expected a list of field names, e.g. ["question"] or ["context: list[str]"]')
            return None
        if not value and not allow_empty:
            self.issue(path, "a pipeline needs at least one output")
            return None
        return value

    def collect_ids(self, steps: list[Any], path: str, depth: int) -> None:
        """First pass: count steps, find duplicate ids, remember where every id is."""
        if depth > MAX_NESTING:
            self.issue(path, f"steps are nested too deeply (more than {MAX_NESTING} levels)")
            return
        for index, step in enumerate(steps):
            here = f"{path}[{index}]"
            self.count += 1
            if not isinstance(step, Mapping):
                continue
            step_id = step.get("id")
            if isinstance(step_id, str):
                if step_id in self.ids:
                    self.issue(f"{here}.id", f"duplicate step id {step_id!r} (also at {self.ids[step_id]})")
                else:
                    self.ids[step_id] = here
            for key in ("steps", "then", "else"):
                if isinstance(step.get(key), list):
                    self.collect_ids(step[key], f"{here}.{key}", depth + 1)

    def outputs(
        self, output_map: Any, signature: type[Signature], scope: StaticScope
    ) -> dict[str, Expression]:
        result: dict[str, Expression] = {}
        if output_map is None:
            output_map = {}
        if not isinstance(output_map, Mapping):
            self.issue("output_map", "expected an object {output: expression}")
            return result
        for key in output_map:
            if key not in signature.output_fields:
                known = ", ".join(signature.output_fields)
                self.issue(f"output_map.{key}", f"not a pipeline output (outputs: {known})")
        for name in signature.output_fields:
            path = f"output_map.{name}"
            if name in output_map:
                expression = self.expression(output_map[name], path, scope)
            else:
                expression = self.find_source(name, scope, include_inputs=False)
                if expression is None:
                    self.issue(
                        path,
                        f"no step produces `{name}`: map it explicitly, e.g. "
                        f'"output_map": {{"{name}": "<step id>.<field>"}}',
                    )
            if expression is not None:
                result[name] = expression
        return result

    # -- steps ------------------------------------------------------------------------------
    def sequence(self, steps: Any, path: str, scope: StaticScope) -> tuple[list[Step], Shape | None]:
        """Build ``steps`` in order, binding each one's id in ``scope``; return the steps and the
        shape of the last one's value."""
        built: list[Step] = []
        last: Shape | None = None
        if not isinstance(steps, list):
            self.issue(path, "expected a list of steps")
            return built, None
        for index, spec in enumerate(steps):
            step, last = self.place(spec, f"{path}[{index}]", scope)
            if step is not None:
                built.append(step)
        return built, last

    def place(self, spec: Any, path: str, scope: StaticScope) -> tuple[Step | None, Shape | None]:
        """Build one step and make its id visible in ``scope`` (even when the step has problems,
        so that later references to it are not reported again)."""
        step, shape = self.step(spec, path, scope)
        step_id = spec.get("id") if isinstance(spec, Mapping) else None
        if isinstance(step_id, str) and _IDENTIFIER.match(step_id) and step_id not in KEYWORDS:
            scope.bind(step_id, Binding(shape if shape is not None else ANY, "step", path))
        return step, shape

    def step(self, spec: Any, path: str, scope: StaticScope) -> tuple[Step | None, Shape | None]:
        if not isinstance(spec, Mapping):
            self.issue(path, f"a step is a JSON object, got {type(spec).__name__}")
            return None, None
        kind = spec.get("kind")
        if kind is None and "module" in spec:
            kind = "module"
        if kind not in _STEP_KEYS:
            known = ", ".join(_STEP_KEYS)
            if kind is None:
                self.issue(f"{path}.kind", f"missing step kind (one of: {known})")
            else:
                self.issue(f"{path}.kind", f"unknown step kind {kind!r} (one of: {known})")
            return None, None
        for key in spec:
            if key not in _STEP_KEYS[kind] and key not in _COMMON_KEYS:
                allowed = ", ".join(sorted(_STEP_KEYS[kind] | _COMMON_KEYS))
                self.issue(f"{path}.{key}", f"unknown key for a {kind} step (allowed: {allowed})")
        step_id = self.step_id(spec, path, required=kind in ("module", "map"))
        if kind == "module":
            return self.module_step(spec, path, step_id, scope)
        if kind == "parallel":
            return self.parallel_step(spec, path, step_id, scope)
        if kind == "conditional":
            return self.conditional_step(spec, path, step_id, scope)
        return self.map_step(spec, path, step_id, scope)

    def step_id(self, spec: Mapping[str, Any], path: str, *, required: bool) -> str | None:
        if "id" not in spec:
            if required:
                self.issue(f"{path}.id", "this step needs an id (its outputs are read as <id>.<field>)")
            return None
        value = spec["id"]
        if self.check_name(value, f"{path}.id", "step id"):
            return value
        return None

    def check_name(self, value: Any, path: str, what: str) -> TypeGuard[str]:
        if not isinstance(value, str) or not _IDENTIFIER.match(value):
            self.issue(
                path, f"{what} must be a name of letters, digits and _ starting with a letter, got {value!r}"
            )
            return False
        if value in KEYWORDS:
            self.issue(path, f"{what} {value!r} is a reserved word of the expression language")
            return False
        if value in self.input_names:
            self.issue(path, f"{what} {value!r} is also a pipeline input; pick another name")
            return False
        return True

    def module_step(
        self, spec: Mapping[str, Any], path: str, step_id: str | None, scope: StaticScope
    ) -> tuple[Step | None, Shape | None]:
        module_name: Any = spec.get("module")  # from the spec: anything, checked by the registry
        entry = None
        try:
            entry = get_module_type(module_name)
        except UnknownModuleError as exc:
            self.issue(f"{path}.module", str(exc) if module_name is not None else "missing module type")
        signature = self.step_signature(spec, path)
        config = self.config(spec.get("config", {}), f"{path}.config")
        tools = self.tools(spec.get("tools", []), f"{path}.tools", entry)
        backend = spec.get("backend", "auto")
        if backend not in BACKENDS:
            self.issue(f"{path}.backend", f"expected one of {', '.join(BACKENDS)}, got {backend!r}")
        if signature is None:
            return None, None
        outputs = tuple(dict.fromkeys([*(entry.extra_outputs if entry else ()), *signature.output_fields]))
        inputs = self.step_inputs(spec.get("inputs", {}), f"{path}.inputs", signature, scope)
        if entry is None or config is None or tools is None or step_id is None or inputs is None:
            return None, Fields(dict.fromkeys(outputs, ANY), f"step {step_id!r}")
        kwargs = dict(config)
        if tools:
            kwargs["tools"] = [tool for _, tool in tools]
        try:
            module = entry.factory(signature, **kwargs)
        except (TypeError, ValueError) as exc:
            self.issue(f"{path}.config", f"module {entry.name!r} rejected its configuration: {exc}")
            return None, None
        module.backend = backend
        self.modules[step_id] = module
        step = ModuleStep(
            path,
            step_id,
            entry.name,
            signature,
            inputs,
            outputs,
            dict(config),
            tuple(name for name, _ in tools),
            str(backend),
        )
        return step, Fields(dict.fromkeys(outputs, ANY), f"step {step_id!r}")

    def step_signature(self, spec: Mapping[str, Any], path: str) -> type[Signature] | None:
        text = spec.get("signature")
        if not isinstance(text, str):
            self.issue(f"{path}.signature", 'expected a signature string, e.g. "question -> answer"')
            return None
        try:
            signature = make_signature(text)  # never looks up types in any Python scope
        except SignatureError as exc:
            self.issue(f"{path}.signature", str(exc))
            return None
        instructions = spec.get("instructions")
        if instructions is not None:
            if not isinstance(instructions, str) or not instructions.strip():
                self.issue(f"{path}.instructions", "expected a non-empty string")
            else:
                signature = signature.with_instructions(instructions)
        return signature

    def config(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            self.issue(path, 'expected an object of module options, e.g. {"temperature": 0.7}')
            return None
        ok = True
        for key, item in value.items():
            if key in ("signature", "tools", "backend"):
                self.issue(f"{path}.{key}", f"`{key}` is set on the step itself, not in config")
                ok = False
            elif not _is_json(item):
                self.issue(f"{path}.{key}", "config values must be plain JSON data")
                ok = False
        return dict(value) if ok else None

    def tools(self, value: Any, path: str, entry: Any) -> list[tuple[str, Any]] | None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.issue(path, "expected a list of tool names")
            return None
        if not value:
            return []
        if entry is not None and not entry.takes_tools:
            self.issue(path, f"module {entry.name!r} does not take tools")
            return None
        resolved: list[tuple[str, Any]] = []
        for index, name in enumerate(value):
            if self.tool_resolver is None:
                self.issue(
                    f"{path}[{index}]",
                    f"tool {name!r} is not available (no tool_resolver was given to the pipeline)",
                )
                continue
            try:
                tool = self.tool_resolver(name)
            except LookupError:
                tool = None
            if tool is None:
                self.issue(f"{path}[{index}]", f"unknown tool {name!r}")
                continue
            resolved.append((name, tool))
        return resolved if len(resolved) == len(value) else None

    def step_inputs(
        self, value: Any, path: str, signature: type[Signature], scope: StaticScope
    ) -> dict[str, Expression] | None:
        if not isinstance(value, Mapping):
            self.issue(path, 'expected an object {input field: expression}, e.g. {"question": "$.question"}')
            return None
        ok = True
        inputs: dict[str, Expression] = {}
        for key in value:
            if key not in signature.input_fields:
                known = ", ".join(signature.input_fields) or "none"
                self.issue(f"{path}.{key}", f"the step's signature has no input `{key}` (inputs: {known})")
                ok = False
        for name in signature.input_fields:
            if name in value:
                expression = self.expression(value[name], f"{path}.{name}", scope)
            else:
                expression = self.find_source(name, scope, include_inputs=True)
                if expression is None:
                    self.issue(
                        path,
                        f"no value for input `{name}`: no pipeline input, loop variable or earlier step "
                        f'output is named `{name}`; map it, e.g. "inputs": {{"{name}": "<step id>.<field>"}}',
                    )
            if expression is None:
                ok = False
            else:
                inputs[name] = expression
        return inputs if ok else None

    def find_source(self, name: str, scope: StaticScope, *, include_inputs: bool) -> Expression | None:
        """The default reference for a field called ``name``: a loop variable or the latest
        visible step with that output, else the pipeline input of that name."""
        for bound, binding in reversed(scope.bindings.items()):
            if binding.what == "loop variable" and bound == name:
                return Expression(name)
            if binding.what == "step" and isinstance(binding.shape, Fields) and name in binding.shape.fields:
                return Expression(f"{bound}.{name}")
        if include_inputs and name in scope.inputs.fields:
            return Expression(f"$.{name}")
        return None

    def expression(self, value: Any, path: str, scope: StaticScope) -> Expression | None:
        if not isinstance(value, str):
            self.issue(
                path,
                f"expected an expression string, got {type(value).__name__} "
                "(write literal text in quotes inside the string: \"'some text'\")",
            )
            return None
        try:
            expression = Expression(value)
            check_expression(expression, scope)
        except ExpressionError as exc:
            self.issue(path, str(exc))
            return None
        if expression.is_constant():
            try:
                expression.evaluate({}, None, self.budget)
            except ExpressionError as exc:
                if exc.budget is not None:  # other failures are the run's (and may never happen)
                    self.issue(path, str(exc))
                    return None
        return expression

    def parallel_step(
        self, spec: Mapping[str, Any], path: str, step_id: str | None, scope: StaticScope
    ) -> tuple[Step | None, Shape | None]:
        children = spec.get("steps")
        if not isinstance(children, list) or not children:
            self.issue(f"{path}.steps", "a parallel step needs a non-empty list of steps")
            return None, None
        built: list[Step] = []
        shapes: dict[str, Shape] = {}
        before = set(scope.bindings)
        child_scopes: list[StaticScope] = []
        for index, child_spec in enumerate(children):
            child_scope = scope.child()  # siblings cannot see each other
            child, shape = self.place(child_spec, f"{path}.steps[{index}]", child_scope)
            child_scopes.append(child_scope)
            if child is not None:
                built.append(child)
                if child.id is not None and shape is not None:
                    shapes[child.id] = shape
        for child_scope in child_scopes:  # everything the children defined is visible after the block
            for name, binding in child_scope.bindings.items():
                if name not in before:
                    scope.bind(name, binding)
        return ParallelStep(path, step_id, built), Fields(shapes, f"parallel step {step_id or path!r}")

    def conditional_step(
        self, spec: Mapping[str, Any], path: str, step_id: str | None, scope: StaticScope
    ) -> tuple[Step | None, Shape | None]:
        condition = None
        if "if" not in spec:
            self.issue(f"{path}.if", "a conditional step needs an `if` expression")
        else:
            condition = self.expression(spec["if"], f"{path}.if", scope)
        then_spec, else_spec = spec.get("then", []), spec.get("else", [])
        if not then_spec and not else_spec:
            self.issue(path, "a conditional step needs steps in `then` or `else`")
        then, then_shape = self.sequence(then_spec, f"{path}.then", scope.child())
        otherwise, else_shape = self.sequence(else_spec, f"{path}.else", scope.child())
        if step_id is not None and (not then_spec or not else_spec):
            self.issue(
                f"{path}.{'else' if then_spec else 'then'}",
                "a conditional with an id needs steps in both branches (its value is the value of "
                "the last step of the branch taken)",
            )
        if condition is None:
            return None, None
        shape = common_shape(then_shape, else_shape)
        if isinstance(shape, Fields):
            shape.label = f"conditional step {step_id or path!r}"
        return ConditionalStep(path, step_id, condition, then, otherwise), shape

    def map_step(
        self, spec: Mapping[str, Any], path: str, step_id: str | None, scope: StaticScope
    ) -> tuple[Step | None, Shape | None]:
        over = None
        if "over" not in spec:
            self.issue(f"{path}.over", "a map step needs an `over` expression giving a list")
        else:
            over = self.expression(spec["over"], f"{path}.over", scope)
        body_scope = scope.child()
        item_name = spec.get("as", "item")
        if self.loop_name(item_name, f"{path}.as", scope):
            body_scope.bind(item_name, Binding(ANY, "loop variable", path))
        index_name = spec.get("index")
        if index_name is not None and self.loop_name(index_name, f"{path}.index", scope):
            body_scope.bind(index_name, Binding(ANY, "loop variable", path))
        body = spec.get("steps")
        if not isinstance(body, list) or not body:
            self.issue(f"{path}.steps", "a map step needs a non-empty list of steps")
            return None, None
        steps, last_shape = self.sequence(body, f"{path}.steps", body_scope)
        collect = None
        if "collect" in spec:
            collect = self.expression(spec["collect"], f"{path}.collect", body_scope)
        max_concurrency = self.positive_int(spec, "max_concurrency", path, DEFAULT_MAX_CONCURRENCY)
        max_items = self.positive_int(spec, "max_items", path, DEFAULT_MAX_ITEMS)
        if over is None or step_id is None:
            return None, None
        item_shape = ANY if collect is not None or last_shape is None else last_shape
        step = MapStep(path, step_id, over, item_name, index_name, steps, collect, max_concurrency, max_items)
        return step, ListOf(item_shape, f"map step {step_id!r}")

    def loop_name(self, value: Any, path: str, scope: StaticScope) -> bool:
        if not self.check_name(value, path, "loop variable"):
            return False
        if value in self.ids or value in scope.bindings:
            self.issue(path, f"loop variable {value!r} has the name of a step or another variable")
            return False
        return True

    def positive_int(self, spec: Mapping[str, Any], key: str, path: str, default: int) -> int:
        value = spec.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.issue(f"{path}.{key}", f"expected a positive integer, got {value!r}")
            return default
        return value


def _is_json(value: Any, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list):
        return all(_is_json(item, depth + 1) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _is_json(v, depth + 1) for k, v in value.items())
    return False
