"""``ProgramOfThought``: the LM writes Python, a sandbox runs it, the LM reads the result."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from dspex.modules.chain_of_thought import ChainOfThought
from dspex.primitives.module import Module
from dspex.primitives.prediction import Prediction
from dspex.primitives.steps import record_step
from dspex.sandbox.sandbox import PythonSandbox, SandboxLimits, SandboxResult
from dspex.settings import settings
from dspex.signatures.field import InputField, OutputField
from dspex.signatures.signature import Signature, ensure_signature, make_signature

__all__ = ["ProgramOfThought", "ProgramOfThoughtDisabledError", "ProgramOfThoughtError"]

logger = logging.getLogger("dspex.program_of_thought")

SETTING = "allow_program_of_thought"
_FENCE = re.compile(r"```(?:python|py)?[ \t]*\n(.*?)(?:\n```|$)", re.DOTALL | re.IGNORECASE)
_ASSIGNMENT = re.compile(r"^([A-Za-z_]\w*)\s*=(?!=)")


class ProgramOfThoughtDisabledError(PermissionError):
    """ProgramOfThought runs LM-written code and is off until enabled explicitly."""


class ProgramOfThoughtError(RuntimeError):
    """Every attempt produced code that failed; ``attempts`` holds each ``{"code", "error"}``."""

    def __init__(self, message: str, attempts: list[dict[str, str]]):
        super().__init__(message)
        self.attempts = attempts


class ProgramOfThought(Module):
    """Solve a task by having the LM write a Python program, running it in
    :class:`dspex.sandbox.PythonSandbox` and giving its output back to the LM for the answer.

    If the code fails (exception, timeout, blocked operation, no code), the error goes back to
    the LM, which writes a corrected program (``code_regenerate``); after ``max_iters`` failed
    programs :class:`ProgramOfThoughtError` is raised. Predictors (DSPy's paths and prompts):
    ``code_generate.predict``, ``code_regenerate.predict``, ``generate_output.predict``. Each run
    is recorded as a ``program_of_thought.run`` step (code, output, error).

    Off by default, because it executes generated code: enable it with
    ``dspex.configure(allow_program_of_thought=True)`` (or ``with dspex.context(...)``). What the
    sandbox allows and guarantees (an allow-list of modules, a seccomp filter, and a
    :class:`dspex.SandboxError` where that filter cannot be installed): docs/security-sandbox.md.

    Example::

        dspex.configure(lm=lm, allow_program_of_thought=True)
        pot = dspex.ProgramOfThought("question -> answer: int")
        pot(question="What is the sum of the first 100 primes?").answer
    """

    def __init__(
        self,
        signature: str | type[Signature],
        max_iters: int = 3,
        sandbox: PythonSandbox | None = None,
        limits: SandboxLimits | None = None,
    ):
        if max_iters < 1:
            raise ValueError("max_iters must be at least 1")
        self.signature = signature = ensure_signature(signature)
        self.max_iters = max_iters
        self._sandbox = sandbox or PythonSandbox(limits)
        self.code_generate = ChainOfThought(self._mode_signature("generate"))
        self.code_regenerate = ChainOfThought(self._mode_signature("regenerate"))
        self.generate_output = ChainOfThought(self._mode_signature("answer"))

    @property
    def sandbox(self) -> PythonSandbox:
        """The sandbox that runs the generated programs."""
        return self._sandbox

    # -- signatures (DSPy's fields and instructions) ----------------------------------------
    def _mode_fields(self, mode: str) -> dict[str, Any]:
        fields: dict[str, Any] = dict(self.signature.input_fields)
        if mode == "generate":
            fields["generated_code"] = (str, OutputField(desc="python code that answers the question"))
        elif mode == "regenerate":
            fields["previous_code"] = (str, InputField(desc="previously-generated python code that errored"))
            fields["error"] = (str, InputField(desc="error message from previously-generated python code"))
            fields["generated_code"] = (str, OutputField(desc="python code that answers the question"))
        else:
            fields["final_generated_code"] = (str, InputField(desc="python code that answers the question"))
            fields["code_output"] = (str, InputField(desc="output of previously-generated python code"))
            fields.update(self.signature.output_fields)
        return fields

    def _mode_signature(self, mode: str) -> type[Signature]:
        fields = self._mode_fields(mode)
        plain = make_signature(fields)
        inputs = ", ".join(f"`{name}`" for name in plain.input_fields)
        outputs = ", ".join(f"`{name}`" for name in plain.output_fields)
        final = ", ".join(f"`{name}`" for name in self.signature.output_fields)
        if mode == "generate":
            lines = [
                f"You will be given {inputs} and you will respond with {outputs}.",
                f"Generating executable Python code that programmatically computes the correct {outputs}.",
                "After you're done with the computation and think you have the final output, make sure to "
                "submit your output by calling the preloaded function `SUBMIT()`.",
                'You must structure your output in a dict, like {"field_a": value_a, ...}, with the '
                f"correct value mapping for the field(s): {final}.",
            ]
        elif mode == "regenerate":
            lines = [
                f"You are given {inputs} due to an error in previous code.",
                "Your task is to correct the error and provide the new `generated_code`.",
            ]
        else:
            lines = [f"Given the final code {inputs}, provide the final {outputs}."]
        return make_signature(fields, "\n".join(lines))

    # -- running ----------------------------------------------------------------------------
    def _check_enabled(self) -> None:
        if not settings.get(SETTING):
            raise ProgramOfThoughtDisabledError(
                "ProgramOfThought runs Python code written by the LM and is disabled by default. "
                "Enable it with dspex.configure(allow_program_of_thought=True) or, for one block, "
                "`with dspex.context(allow_program_of_thought=True): ...` (the code runs in a "
                "resource-limited sandbox without network access)."
            )

    def _inputs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        passthrough: dict[str, Any] = {k: kwargs[k] for k in ("lm", "config") if k in kwargs}
        inputs = {name: kwargs[name] for name in self.signature.input_fields if name in kwargs}
        return {**inputs, **passthrough}

    def _outcome(
        self, attempt: int, code: str, parse_error: str | None, result: SandboxResult | None
    ) -> str | None:
        """Record the run; return the error to show the LM (``None`` on success)."""
        error = (
            parse_error if parse_error is not None else (result.error if result and not result.ok else None)
        )
        if result is not None and result.ok and result.output in (None, ""):
            error = "Error: the program produced no output; call SUBMIT({...}) with the result."
        record_step(
            "program_of_thought.run",
            self,
            attempt=attempt,
            code=code,
            output=None if result is None else result.output,
            error=error,
            duration_ms=None if result is None else round(result.duration_ms, 1),
        )
        if error is not None:
            logger.info(
                "ProgramOfThought attempt %d failed: %s", attempt + 1, error.splitlines()[-1] if error else ""
            )
        return error

    def _failed(self, attempts: list[dict[str, str]]) -> ProgramOfThoughtError:
        return ProgramOfThoughtError(
            f"ProgramOfThought failed: none of the {len(attempts)} generated program(s) ran successfully "
            f"(max_iters={self.max_iters}). Last error: {attempts[-1]['error']}",
            attempts,
        )

    def forward(self, **kwargs: Any) -> Prediction:
        """Generate, run and (on errors) regenerate code; then answer from its output."""
        self._check_enabled()
        inputs = self._inputs(kwargs)
        attempts: list[dict[str, str]] = []
        generated = self.code_generate(**inputs)
        for attempt in range(self.max_iters):
            code, parse_error = parse_code(generated.generated_code)
            result = None if parse_error else self._sandbox.run(code)
            error = self._outcome(attempt, code, parse_error, result)
            if error is None:
                assert result is not None
                return self.generate_output(
                    **inputs, final_generated_code=code, code_output=_render(result.output)
                )
            attempts.append({"code": code, "error": error})
            if attempt + 1 < self.max_iters:
                generated = self.code_regenerate(**inputs, previous_code=code, error=error)
        raise self._failed(attempts)

    async def aforward(self, **kwargs: Any) -> Prediction:
        """Async :meth:`forward` (the sandbox runs on a worker thread)."""
        self._check_enabled()
        inputs = self._inputs(kwargs)
        attempts: list[dict[str, str]] = []
        generated = await self.code_generate.acall(**inputs)
        for attempt in range(self.max_iters):
            code, parse_error = parse_code(generated.generated_code)
            result = None if parse_error else await asyncio.to_thread(self._sandbox.run, code)
            error = self._outcome(attempt, code, parse_error, result)
            if error is None:
                assert result is not None
                return await self.generate_output.acall(
                    **inputs, final_generated_code=code, code_output=_render(result.output)
                )
            attempts.append({"code": code, "error": error})
            if attempt + 1 < self.max_iters:
                generated = await self.code_regenerate.acall(**inputs, previous_code=code, error=error)
        raise self._failed(attempts)


def parse_code(text: Any) -> tuple[str, str | None]:
    """The program in an LM's ``generated_code`` (fences removed; a final ``x = ...`` also shows
    ``x``), and an error message when there is none."""
    text = str(text or "")
    match = _FENCE.search(text)
    code = (match.group(1) if match else text).strip("\n")
    if not code.strip():
        return code, "Error: Empty code after parsing."
    lines = code.rstrip().split("\n")
    last = lines[-1]
    assignment = _ASSIGNMENT.match(last)
    if assignment and not last.startswith((" ", "\t")):
        code = code.rstrip() + "\n" + assignment.group(1)
    return code, None


def _render(output: Any) -> str:
    return json.dumps(output, ensure_ascii=False)
