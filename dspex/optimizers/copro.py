"""``COPRO``: search over instructions (and output prefixes) proposed by an LM, per predictor."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from dspex.evaluate.evaluate import Evaluate
from dspex.modules.predict import Predict
from dspex.optimizers.base import Optimizer
from dspex.settings import settings
from dspex.signatures.field import InputField, OutputField
from dspex.signatures.signature import Signature

__all__ = ["COPRO", "BasicGenerateInstruction", "GenerateInstructionGivenAttempts", "InstructionCandidate"]


class BasicGenerateInstruction(Signature):
    """You improve instructions for large language models. You are given the instruction of a task
    whose input and output fields are fixed. Write a better instruction, one that will make a
    capable language model do the task well, and be inventive about it."""

    basic_instruction: str = InputField(desc="the instruction as it is now")
    proposed_instruction: str = OutputField(desc="the improved instruction for the language model")
    proposed_prefix_for_output_field: str = OutputField(
        desc="the text placed right before the output, which helps the model start the task"
    )


class GenerateInstructionGivenAttempts(Signature):
    """You improve instructions for large language models. You are given instructions already
    tried for a task, each with its validation score (higher is better), sorted from the lowest
    score to the highest. Write a new instruction that should score higher than all of them, and
    be inventive about it."""

    attempted_instructions: list[str] = InputField(desc="instructions tried, with their prefixes and scores")
    proposed_instruction: str = OutputField(desc="the improved instruction for the language model")
    proposed_prefix_for_output_field: str = OutputField(
        desc="the text placed right before the output, which helps the model start the task"
    )


@dataclass
class InstructionCandidate:
    """One instruction (and output prefix) tried for one predictor, with the program it scored on."""

    predictor: str
    instruction: str
    prefix: str
    score: float
    depth: int
    program: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (without the program)."""
        return {
            "predictor": self.predictor,
            "instruction": self.instruction,
            "prefix": self.prefix,
            "score": self.score,
            "depth": self.depth,
        }


def _clean(text: Any) -> str:
    return str(text or "").strip().strip('"').strip()


def _last_output(predictor: Any) -> str:
    name: str = list(predictor.signature.output_fields)[-1]
    return name


def _instruction_of(predictor: Any) -> tuple[str, str]:
    signature = predictor.signature
    return signature.instructions, signature.output_fields[_last_output(predictor)].prefix or ""


def _apply(predictor: Any, instruction: str, prefix: str) -> None:
    last = _last_output(predictor)
    predictor.signature = predictor.signature.with_instructions(instruction).with_updated_fields(
        last, prefix=prefix
    )


def _stats(scores: list[float]) -> dict[str, float]:
    return {
        "max": max(scores),
        "average": sum(scores) / len(scores),
        "min": min(scores),
        "std": statistics.pstdev(scores),
    }


class COPRO(Optimizer):
    """Optimize each predictor's instructions (and the prefix of its last output field).

    For every predictor, ``prompt_model`` (the configured LM when not given) proposes
    ``breadth - 1`` new instructions from the current one, at ``init_temperature``; with the
    current one they are the first candidates. Each candidate is scored with
    :class:`dspex.Evaluate` on the trainset (``num_threads`` examples at a time) and reported as a
    :class:`TrialEvent`; the predictor keeps the best one. For ``depth - 1`` more rounds the
    prompt model sees the instructions tried so far with their scores and proposes ``breadth`` new
    ones. A configuration that was already scored is not evaluated again. Proposal requests carry
    ``seed`` (plus the round) so that servers that honour it are reproducible.

    The best program comes back with ``candidate_programs`` (every :class:`InstructionCandidate`,
    best first, duplicates dropped) and ``total_calls`` (evaluations run); with
    ``track_stats=True`` also ``results_best`` and ``results_latest`` (score statistics per
    predictor and round).
    """

    def __init__(
        self,
        *,
        metric: Any,
        prompt_model: Any = None,
        breadth: int = 10,
        depth: int = 3,
        init_temperature: float = 1.4,
        track_stats: bool = False,
        num_threads: int = 16,
        max_errors: int | None = None,
        seed: int | None = 0,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        if breadth <= 1:
            raise ValueError("breadth must be greater than 1")
        if depth < 1:
            raise ValueError("depth must be at least 1")
        self.metric = metric
        self.prompt_model = prompt_model
        self.breadth = breadth
        self.depth = depth
        self.init_temperature = init_temperature
        self.track_stats = track_stats
        self.num_threads = num_threads
        self.max_errors = max_errors
        self.seed = seed

    # -- proposals --------------------------------------------------------------------------

    def _propose(
        self, signature: type[Signature], n: int, round_index: int, **inputs: Any
    ) -> list[tuple[str, str]]:
        config: dict[str, Any] = {"n": n, "temperature": self.init_temperature}
        if self.seed is not None:
            config["seed"] = self.seed + round_index
        lm = self.prompt_model or settings.get("lm")
        try:
            prediction = Predict(signature, **config)(lm=lm, **inputs)
        except Exception as exc:
            self.emit("error", f"proposals, round {round_index}", error=f"{type(exc).__name__}: {exc}")
            return []
        completions = prediction.completions
        proposals = []
        for i in range(len(completions)):
            instruction = _clean(completions[i].get("proposed_instruction"))
            prefix = _clean(completions[i].get("proposed_prefix_for_output_field"))
            if instruction:
                proposals.append((instruction, prefix))
        self.emit("proposals", f"round {round_index}", count=len(proposals))
        return proposals

    @staticmethod
    def _attempts(tried: list[InstructionCandidate], limit: int) -> list[str]:
        best = sorted(tried, key=lambda c: c.score, reverse=True)[:limit]
        lines = []
        for number, candidate in enumerate(reversed(best), start=1):  # lowest score first
            lines.append(f"Instruction #{number}: {candidate.instruction}")
            lines.append(f"Prefix #{number}: {candidate.prefix}")
            lines.append(f"Resulting Score #{number}: {candidate.score}")
        return lines

    # -- the search -------------------------------------------------------------------------

    def compile(
        self, student: Any, *, trainset: list[Any], eval_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        if not trainset:
            raise ValueError("trainset is empty")
        options = {"num_threads": self.num_threads, "max_errors": self.max_errors, **(eval_kwargs or {})}
        evaluate = Evaluate(devset=trainset, metric=self.metric, **options)
        module = student.deepcopy()
        names = [name for name, _ in module.named_predictors()]
        if not names:
            raise ValueError("the student has no predictors to optimize")

        pending: dict[str, list[tuple[str, str]]] = {}
        every: dict[str, list[tuple[str, str]]] = {}
        for name, predictor in module.named_predictors():
            basic_instruction, basic_prefix = _instruction_of(predictor)
            proposed = self._propose(
                BasicGenerateInstruction, self.breadth - 1, 0, basic_instruction=basic_instruction
            )
            pending[name] = [*proposed, (basic_instruction, basic_prefix)]
            every[name] = list(pending[name])

        evaluated: dict[str, dict[tuple[str, str], InstructionCandidate]] = {name: {} for name in names}
        scores_by_config: dict[tuple[tuple[str, str], ...], float] = {}
        results_best: dict[str, dict[str, list[float]]] = {n: {} for n in names}
        results_latest: dict[str, dict[str, list[float]]] = {n: {} for n in names}
        total_calls = 0
        working = module.deepcopy()
        for depth in range(self.depth):
            for name in names:
                predictor = dict(working.named_predictors())[name]
                to_try = every[name] if len(names) > 1 else pending[name]
                latest: list[float] = []
                for number, (instruction, prefix) in enumerate(to_try):
                    _apply(predictor, instruction, prefix)
                    config = tuple(_instruction_of(p) for _, p in working.named_predictors())
                    score = scores_by_config.get(config)
                    if score is None:
                        score = evaluate(working).score
                        scores_by_config[config] = score
                        total_calls += 1
                    known = evaluated[name].get((instruction, prefix))
                    if known is None or score > known.score:
                        evaluated[name][(instruction, prefix)] = InstructionCandidate(
                            name, instruction, prefix, score, depth, working.deepcopy()
                        )
                    if number >= len(to_try) - len(pending[name]):
                        latest.append(score)
                    self.emit(
                        "candidate",
                        f"{name}, round {depth}, #{number}",
                        score,
                        predictor=name,
                        depth=depth,
                        instruction=instruction,
                        prefix=prefix,
                    )
                best = max(evaluated[name].values(), key=lambda c: c.score)
                _apply(predictor, best.instruction, best.prefix)
                if self.track_stats and latest:
                    for key, value in {"depth": depth, **_stats(latest)}.items():
                        results_latest[name].setdefault(key, []).append(value)
            if self.track_stats:
                for name in names:
                    top = sorted((c.score for c in evaluated[name].values()), reverse=True)[:10]
                    for key, value in {"depth": depth, **_stats(top)}.items():
                        results_best[name].setdefault(key, []).append(value)
            if depth == self.depth - 1:
                break
            for name in names:
                attempts = self._attempts(list(evaluated[name].values()), self.breadth)
                pending[name] = self._propose(
                    GenerateInstructionGivenAttempts, self.breadth, depth + 1, attempted_instructions=attempts
                )
                every[name].extend(pending[name])

        candidates = sorted(
            (c for name in names for c in evaluated[name].values()), key=lambda c: c.score, reverse=True
        )
        candidates = self._drop_duplicates(candidates)
        compiled = candidates[0].program
        compiled.candidate_programs = candidates
        compiled.total_calls = total_calls
        if self.track_stats:
            compiled.results_best = results_best
            compiled.results_latest = results_latest
        compiled._compiled = True
        return compiled

    @staticmethod
    def _drop_duplicates(candidates: list[InstructionCandidate]) -> list[InstructionCandidate]:
        """Candidates whose programs carry the same instructions and prefixes are kept once."""
        seen: set[tuple[tuple[str, str], ...]] = set()
        unique = []
        for candidate in candidates:
            key = tuple(_instruction_of(p) for _, p in candidate.program.named_predictors())
            if key not in seen:
                seen.add(key)
                unique.append(candidate)
        return unique
