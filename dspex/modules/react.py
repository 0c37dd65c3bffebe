"""``ReAct``: an agent loop of thought, tool call and observation, then an extraction step."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, Literal

from dspex.adapters.chat_adapter import ChatAdapter
from dspex.adapters.errors import AdapterParseError
from dspex.adapters.json_adapter import JSONAdapter
from dspex.lm.errors import ContextWindowExceededError
from dspex.modules.chain_of_thought import ChainOfThought
from dspex.modules.predict import Predict
from dspex.primitives.module import Module
from dspex.primitives.prediction import Prediction
from dspex.primitives.steps import record_step
from dspex.settings import settings
from dspex.signatures.field import InputField, OutputField
from dspex.signatures.signature import Signature, ensure_signature, make_signature
from dspex.tools.tool import Tool

__all__ = ["ReAct"]

logger = logging.getLogger("dspex.react")

FINISH = "finish"


class ReAct(Module):
    """Reason and act: each turn the LM writes ``next_thought``, picks ``next_tool_name`` and
    gives ``next_tool_args`` (JSON); the tool's result (or its error) is appended to the
    trajectory as an observation. The loop ends when the LM picks ``finish`` or after
    ``max_iters`` turns; a ChainOfThought then extracts the signature's outputs from the
    trajectory.

    The prompts are DSPy's: the same instructions, tool descriptions and fields. A tool that
    raises, an unknown tool name or arguments that do not fit become observations the LM can
    react to, never a crash. The result has the outputs, ``reasoning`` and ``trajectory``
    (``thought_0``, ``tool_name_0``, ``tool_args_0``, ``observation_0``, ...); every turn is
    also recorded as a ``react.step`` (see :func:`dspex.track_steps`).

    Example::

        agent = dspex.ReAct("question -> answer: float", tools=[dspex.calculator], max_iters=5)
        agent(question="What is 3.5 squared plus 1?").answer
    """

    def __init__(
        self,
        signature: str | type[Signature],
        tools: list[Callable[..., Any] | Tool],
        max_iters: int = 20,
    ):
        self.signature = signature = ensure_signature(signature)
        self.max_iters = max_iters
        wrapped = [t if isinstance(t, Tool) else Tool(t) for t in tools]
        by_name: dict[str, Tool] = {}
        for tool in wrapped:
            if tool.name == FINISH:
                raise ValueError("'finish' is reserved for the tool that ends the ReAct loop; rename yours")
            if tool.name in by_name:
                raise ValueError(f"two tools are named {tool.name!r}; tool names must be unique")
            by_name[tool.name] = tool

        inputs = ", ".join(f"`{k}`" for k in signature.input_fields)
        outputs = ", ".join(f"`{k}`" for k in signature.output_fields)
        lines = [f"{signature.instructions}\n"] if signature.instructions else []
        lines += [
            f"You are an Agent. In each episode, you will be given the fields {inputs} as input. "
            "And you can see your past trajectory so far.",
            "Your goal is to use one or more of the supplied tools to collect any necessary information "
            f"for producing {outputs}.\n",
            "To do this, you will interleave next_thought, next_tool_name, and next_tool_args in each "
            "turn, and also when finishing the task.",
            "After each tool call, you receive a resulting observation, which gets appended to your "
            "trajectory.\n",
            "When writing next_thought, you may reason about the current situation and plan for future "
            "steps.",
            "When selecting the next_tool_name and its next_tool_args, the tool must be one of:\n",
        ]
        by_name[FINISH] = Tool(
            func=lambda: "Completed.",
            name=FINISH,
            desc="Marks the task as complete. That is, signals that all information for producing the "
            f"outputs, i.e. {outputs}, are now available to be extracted.",
            args={},
        )
        lines += [f"({index + 1}) {tool}" for index, tool in enumerate(by_name.values())]
        lines.append("When providing `next_tool_args`, the value inside the field must be in JSON format")

        react_signature = make_signature(
            {
                **signature.input_fields,
                "trajectory": (str, InputField()),
                "next_thought": (str, OutputField()),
                "next_tool_name": (Literal[tuple(by_name)], OutputField()),
                "next_tool_args": (dict[str, Any], OutputField()),
            },
            "\n".join(lines),
        )
        extract_signature = make_signature(
            {**signature.input_fields, **signature.output_fields}, signature.instructions
        ).append("trajectory", InputField(), type_=str)

        self.tools = by_name
        self.react = Predict(react_signature)
        self.extract = ChainOfThought(extract_signature)

    # -- the loop ---------------------------------------------------------------------------
    def forward(self, **input_args: Any) -> Prediction:
        """Run the agent loop on the inputs (``max_iters=`` overrides the default for this call)."""
        trajectory: dict[str, Any] = {}
        max_iters = input_args.pop("max_iters", self.max_iters)
        finished = False
        for index in range(max_iters):
            try:
                pred = self._call(self.react, trajectory, input_args)
            except ContextWindowExceededError as err:
                self._stop(index, f"the context window was exceeded: {err}")
                break
            except AdapterParseError as err:
                turn = self._salvage(err)
                if turn is None:
                    self._stop(index, f"the agent's reply could not be parsed: {_first_line(err)}")
                    break
            else:
                turn = (pred.next_thought, pred.next_tool_name, pred.next_tool_args)
            observation = self._run_tool(turn[1], turn[2])
            finished = self._add_turn(trajectory, index, turn, observation)
            if finished:
                break
        extract = self._call(self.extract, trajectory, input_args)
        return self._result(trajectory, extract, finished)

    async def aforward(self, **input_args: Any) -> Prediction:
        """Async :meth:`forward` (async tools are awaited)."""
        trajectory: dict[str, Any] = {}
        max_iters = input_args.pop("max_iters", self.max_iters)
        finished = False
        for index in range(max_iters):
            try:
                pred = await self._acall(self.react, trajectory, input_args)
            except ContextWindowExceededError as err:
                self._stop(index, f"the context window was exceeded: {err}")
                break
            except AdapterParseError as err:
                turn = self._salvage(err)
                if turn is None:
                    self._stop(index, f"the agent's reply could not be parsed: {_first_line(err)}")
                    break
            else:
                turn = (pred.next_thought, pred.next_tool_name, pred.next_tool_args)
            observation = await self._arun_tool(turn[1], turn[2])
            finished = self._add_turn(trajectory, index, turn, observation)
            if finished:
                break
        extract = await self._acall(self.extract, trajectory, input_args)
        return self._result(trajectory, extract, finished)

    def _add_turn(
        self,
        trajectory: dict[str, Any],
        index: int,
        turn: tuple[Any, Any, Any],
        observation: tuple[Any, bool],
    ) -> bool:
        thought, name, args = turn
        trajectory[f"thought_{index}"] = thought
        trajectory[f"tool_name_{index}"] = name
        trajectory[f"tool_args_{index}"] = args
        trajectory[f"observation_{index}"] = observation[0]
        record_step(
            "react.step",
            self,
            index=index,
            thought=thought,
            tool_name=name,
            tool_args=args,
            observation=observation[0],
            error=observation[1],
        )
        return name == FINISH and not observation[1]

    def _result(self, trajectory: dict[str, Any], extract: Prediction, finished: bool) -> Prediction:
        record_step(
            "react.trajectory",
            self,
            trajectory=dict(trajectory),
            turns=sum(1 for k in trajectory if k.startswith("thought_")),
            finished=finished,
        )
        return Prediction(trajectory=trajectory, **extract.to_dict())

    def _stop(self, index: int, reason: str) -> None:
        logger.warning("Ending the ReAct trajectory at turn %d: %s", index, reason)
        record_step("react.stopped", self, index=index, reason=reason)

    # -- tools ------------------------------------------------------------------------------
    def _check_call(self, name: Any, args: Any) -> tuple[Tool | None, str | None]:
        tool = self.tools.get(name) if isinstance(name, str) else None
        if tool is None:
            return None, f"Unknown tool {name!r}. The tool must be one of: {', '.join(self.tools)}."
        if not isinstance(args, dict):
            return None, (
                f"Invalid arguments for {name}: next_tool_args must be a JSON object of named "
                f"arguments, got {args!r}"
            )
        return tool, None

    def _run_tool(self, name: Any, args: Any) -> tuple[Any, bool]:
        tool, problem = self._check_call(name, args)
        if tool is None:
            return problem, True
        try:
            return tool(**args), False
        except Exception as err:
            return _tool_error(name, err), True

    async def _arun_tool(self, name: Any, args: Any) -> tuple[Any, bool]:
        tool, problem = self._check_call(name, args)
        if tool is None:
            return problem, True
        try:
            return await tool.acall(**args), False
        except Exception as err:
            return _tool_error(name, err), True

    def _salvage(self, error: AdapterParseError) -> tuple[Any, Any, Any] | None:
        """Read a turn whose tool name or arguments did not fit the schema, so that the problem
        becomes an observation instead of ending the run (``None`` when nothing is readable)."""
        relaxed = self.react.signature.with_updated_fields("next_tool_name", type_=str).with_updated_fields(
            "next_tool_args", type_=str
        )
        for adapter in (ChatAdapter(use_json_adapter_fallback=False), JSONAdapter()):
            try:
                fields = adapter.parse(relaxed, error.lm_response)
            except Exception:
                continue
            name = str(fields["next_tool_name"]).strip().strip("'\"`")
            args: Any = fields["next_tool_args"]
            try:
                args = json.loads(args) if isinstance(args, str) else args
            except ValueError:
                pass
            return fields["next_thought"], name, args
        return None

    # -- predictor calls with the formatted trajectory ----------------------------------------
    def format_trajectory(self, trajectory: dict[str, Any]) -> str:
        """The trajectory as the adapter writes input fields (what DSPy shows the LM)."""
        adapter = settings.get("adapter") or ChatAdapter()
        fields: dict[str, Any] = {key: InputField() for key in trajectory}
        fields["x"] = OutputField()
        return adapter.format_user_message_content(make_signature(fields), trajectory)

    def _call(
        self, module: Predict | ChainOfThought, trajectory: dict[str, Any], input_args: dict[str, Any]
    ) -> Prediction:
        last_error: ContextWindowExceededError | None = None
        for _ in range(3):
            try:
                return module(**input_args, trajectory=self.format_trajectory(trajectory))
            except ContextWindowExceededError as err:
                last_error = err
                trajectory = self.truncate_trajectory(trajectory)
        raise ContextWindowExceededError(
            "The context window was exceeded even after 3 attempts to truncate the trajectory."
        ) from last_error

    def _call_with_potential_trajectory_truncation(
        self, module: Any, trajectory: dict[str, Any], **input_args: Any
    ) -> Prediction:
        """:meth:`_call` under DSPy's name and calling convention (inputs as keywords)."""
        return self._call(module, trajectory, input_args)

    async def _async_call_with_potential_trajectory_truncation(
        self, module: Any, trajectory: dict[str, Any], **input_args: Any
    ) -> Prediction:
        """:meth:`_acall` under DSPy's name and calling convention."""
        return await self._acall(module, trajectory, input_args)

    async def _acall(
        self, module: Predict | ChainOfThought, trajectory: dict[str, Any], input_args: dict[str, Any]
    ) -> Prediction:
        last_error: ContextWindowExceededError | None = None
        for _ in range(3):
            try:
                return await module.acall(**input_args, trajectory=self.format_trajectory(trajectory))
            except ContextWindowExceededError as err:
                last_error = err
                trajectory = self.truncate_trajectory(trajectory)
        raise ContextWindowExceededError(
            "The context window was exceeded even after 3 attempts to truncate the trajectory."
        ) from last_error

    def truncate_trajectory(self, trajectory: dict[str, Any]) -> dict[str, Any]:
        """Drop the oldest turn (its four entries); override for another policy."""
        keys = list(trajectory)
        if len(keys) <= 4:
            raise ContextWindowExceededError(
                "the prompt exceeds the context window and the trajectory has only one turn to drop"
            )
        for key in keys[:4]:
            trajectory.pop(key)
        logger.warning("The trajectory exceeded the context window; dropped its oldest turn")
        return trajectory


def _tool_error(name: str, err: Exception) -> str:
    return f"Execution error in {name}: {type(err).__name__}: {err}"


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0] if str(err) else type(err).__name__
