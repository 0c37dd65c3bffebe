"""``Refine``: BestOfN with LM-written advice for each predictor between attempts."""

from __future__ import annotations

import inspect
import logging
import textwrap
from contextlib import nullcontext
from typing import Any

import orjson

from dspex.adapters.formatting import field_descriptions, jsonable
from dspex.modules.best_of_n import BestOfN, RewardFn, _maybe_await, trace_for_original
from dspex.modules.predict import Predict
from dspex.primitives.module import Module
from dspex.primitives.prediction import Prediction
from dspex.primitives.predictor_hooks import predictor_hook
from dspex.primitives.steps import record_step
from dspex.settings import settings
from dspex.signatures.field import InputField, OutputField
from dspex.signatures.signature import Signature

__all__ = ["OfferFeedback", "Refine"]

logger = logging.getLogger("dspex.refine")

HINT_FIELD = "hint_"


class OfferFeedback(Signature):
    # fmt: off
    (  # DSPy's instructions, line breaks included (they are part of the prompt)
        "\n"
        "In the discussion, assign blame to each module that contributed to the final reward being below the "
        "threshold, if\n"
        "any. Then, prescribe concrete advice of how the module should act on its future input when we "
        "retry the process, if\n"
        "it were to receive the same or similar inputs. If a module is not to blame, the advice should be "
        "N/A.\n"
        "The module will not see its own history, so it needs to rely on entirely concrete and actionable "
        "advice from you\n"
        "to avoid the same mistake on the same or similar inputs.\n"
    )
    # fmt: on

    program_code: str = InputField(desc="The code of the program that we are analyzing")
    modules_defn: str = InputField(desc="The definition of each module in the program, including its I/O")
    program_inputs: str = InputField(desc="The inputs to the program that we are analyzing")
    program_trajectory: str = InputField(
        desc="The trajectory of the program's execution, showing each module's I/O"
    )
    program_outputs: str = InputField(desc="The outputs of the program that we are analyzing")
    reward_code: str = InputField(desc="The code of the reward function that we are analyzing")
    target_threshold: float = InputField(desc="The target threshold for the reward function")
    reward_value: float = InputField(desc="The reward value assigned to the program's outputs")
    module_names: list[str] = InputField(
        desc="The names of the modules in the program, for which we seek advice"
    )
    discussion: str = OutputField(desc="Discussing blame of where each module went wrong, if it did")
    advice: dict[str, str] = OutputField(
        desc="For each module, describe very concretely, in this order: the specific scenarios in which it "
        "has made mistakes in the past and what each mistake was, followed by what it should do differently "
        "in that kind ofscenario in the future. If the module is not to blame, write N/A."
    )


class Refine(BestOfN):
    """Like :class:`BestOfN`, but after an attempt below ``threshold`` an LM call
    (:class:`OfferFeedback`, DSPy's prompt) reads the program's code, its predictors' inputs and
    outputs and the reward function, and writes advice per predictor. On the next attempt every
    predictor of the module gets that advice as an extra input field ``hint_`` ("A hint to the
    module from an earlier run"; ``N/A`` when it is not to blame). Each attempt is recorded as a
    ``refine.attempt`` step and each piece of advice as ``refine.advice``.

    Example::

        refine = dspex.Refine(qa, N=3, reward_fn=one_word, threshold=1.0)
        refine(question="What is the capital of Belgium?").answer
    """

    step_kind = "refine.attempt"

    def __init__(
        self,
        module: Module,
        N: int,
        reward_fn: RewardFn,
        threshold: float,
        fail_count: int | None = None,
    ):
        super().__init__(module, N, reward_fn, threshold, fail_count)
        self._module_code = _source(type(module))
        self._reward_code = _source(reward_fn) if inspect.isfunction(reward_fn) else _source(type(reward_fn))

    def forward(self, **kwargs: Any) -> Prediction:
        """Run attempts with advice in between; return the first good enough or the best one."""
        lm = self._base_lm()
        best: tuple[float, Prediction, list[Any]] | None = None
        failures, last_error, advice = 0, None, None
        attempts = self._attempts(lm)
        for index, (rollout_id, module) in enumerate(attempts):
            trace: list[Any] = []
            try:
                with settings.context(trace=trace), self._hints(module, advice):
                    prediction = module(**kwargs)
                reward = float(self.reward_fn(dict(kwargs), prediction))
            except Exception as error:
                failures, last_error = failures + 1, error
                self._failed(index, rollout_id, error, failures)
                continue
            self._scored(index, rollout_id, reward)
            if best is None or reward > best[0]:
                best = (reward, prediction, trace_for_original(trace, module, self.module))
            if reward >= self.threshold or index == len(attempts) - 1:
                break
            advice = self._advise(lm, module, kwargs, trace, prediction, reward) or advice
        return self._done(best, last_error)

    async def aforward(self, **kwargs: Any) -> Prediction:
        """Async :meth:`forward`."""
        lm = self._base_lm()
        best: tuple[float, Prediction, list[Any]] | None = None
        failures, last_error, advice = 0, None, None
        attempts = self._attempts(lm)
        for index, (rollout_id, module) in enumerate(attempts):
            trace: list[Any] = []
            try:
                with settings.context(trace=trace), self._hints(module, advice):
                    prediction = await module.acall(**kwargs)
                reward = float(await _maybe_await(self.reward_fn(dict(kwargs), prediction)))
            except Exception as error:
                failures, last_error = failures + 1, error
                self._failed(index, rollout_id, error, failures)
                continue
            self._scored(index, rollout_id, reward)
            if best is None or reward > best[0]:
                best = (reward, prediction, trace_for_original(trace, module, self.module))
            if reward >= self.threshold or index == len(attempts) - 1:
                break
            advice = await self._aadvise(lm, module, kwargs, trace, prediction, reward) or advice
        return self._done(best, last_error)

    # -- advice -----------------------------------------------------------------------------
    def _hints(self, module: Module, advice: dict[str, str] | None) -> Any:
        """A predictor hook that gives each predictor of ``module`` its ``hint_``."""
        names = {id(p): name for name, p in module.named_predictors()}
        current = dict(advice or {})

        def hook(predictor: Any, signature: Any, inputs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
            name = names.get(id(predictor))
            if name is None:
                return signature, inputs
            if HINT_FIELD not in signature.fields:
                signature = signature.append(
                    HINT_FIELD, InputField(desc="A hint to the module from an earlier run"), type_=str
                )
            return signature, {**inputs, HINT_FIELD: str(current.get(name, "N/A"))}

        return nullcontext() if advice is None else predictor_hook(hook)

    def _advice_request(
        self, module: Module, kwargs: dict[str, Any], trace: list[Any], prediction: Prediction, reward: float
    ) -> dict[str, Any]:
        names = {id(p): name for name, p in module.named_predictors()}
        trajectory = [
            {
                "module_name": names.get(id(predictor), type(predictor).__name__),
                "inputs": {k: v for k, v in dict(inputs).items() if k != HINT_FIELD},
                "outputs": dict(outputs),
            }
            for predictor, inputs, outputs in trace
        ]
        return {
            "program_code": self._module_code,
            "modules_defn": describe_modules(module),
            "program_inputs": _dumps(kwargs),
            "program_trajectory": _dumps(trajectory),
            "program_outputs": _dumps(dict(prediction)),
            "reward_code": self._reward_code,
            "target_threshold": float(self.threshold),
            "reward_value": float(reward),
            "module_names": [name for name, _ in module.named_predictors()],
        }

    def _advise(
        self,
        lm: Any,
        module: Module,
        kwargs: dict[str, Any],
        trace: list[Any],
        prediction: Prediction,
        reward: float,
    ) -> dict[str, str] | None:
        request = self._advice_request(module, kwargs, trace, prediction, reward)
        try:
            with settings.context(trace=[]):  # the feedback call is not part of the program's trace
                answer = Predict(OfferFeedback)(**request, lm=lm)
        except Exception as error:
            self._advice_failed(error)
            return None
        return self._advice_received(answer)

    async def _aadvise(
        self,
        lm: Any,
        module: Module,
        kwargs: dict[str, Any],
        trace: list[Any],
        prediction: Prediction,
        reward: float,
    ) -> dict[str, str] | None:
        request = self._advice_request(module, kwargs, trace, prediction, reward)
        try:
            with settings.context(trace=[]):
                answer = await Predict(OfferFeedback).acall(**request, lm=lm)
        except Exception as error:
            self._advice_failed(error)
            return None
        return self._advice_received(answer)

    def _advice_received(self, answer: Prediction) -> dict[str, str]:
        advice = {str(k): str(v) for k, v in dict(answer.advice or {}).items()}
        record_step("refine.advice", self, advice=advice, discussion=answer.get("discussion"))
        return advice

    def _advice_failed(self, error: Exception) -> None:
        logger.warning("Refine: could not get advice for the next attempt: %s", error)
        record_step("refine.advice", self, error=f"{type(error).__name__}: {error}")


def describe_modules(program: Module) -> str:
    """Each predictor's inputs, outputs and instructions (the ``modules_defn`` DSPy writes)."""
    separator = "-" * 80
    parts = [separator]
    for name, predictor in program.named_predictors():
        signature = predictor.signature
        instructions = ("\n" + "\t" * 2).join(["", *textwrap.dedent(signature.instructions).splitlines()])
        parts.append(f"Module {name}")
        parts.append("\n\tInput Fields:")
        parts.append(("\n" + "\t" * 2).join(["", *field_descriptions(signature.input_fields).splitlines()]))
        parts.append("\tOutput Fields:")
        parts.append(("\n" + "\t" * 2).join(["", *field_descriptions(signature.output_fields).splitlines()]))
        parts.append(f"\tOriginal Instructions: {instructions}")
        parts.append(separator)
    return "\n".join(part.strip("\n") for part in parts)


def _dumps(value: Any) -> str:
    return orjson.dumps(_jsonable_deep(value), option=orjson.OPT_INDENT_2).decode()


def _jsonable_deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable_deep(v) for v in value]
    return jsonable(value)


def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return f"# source not available for {getattr(obj, '__qualname__', repr(obj))}"
