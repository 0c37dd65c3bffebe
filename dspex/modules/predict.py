"""``Predict``: one LM call that maps a signature's inputs to its outputs."""

from __future__ import annotations

import copy
import logging
import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dspex.adapters.chat_adapter import ChatAdapter
from dspex.modules.errors import NoLMConfiguredError
from dspex.primitives.assertions import without_assertion_scope
from dspex.primitives.example import Example
from dspex.primitives.module import Module, Parameter
from dspex.primitives.prediction import Prediction
from dspex.primitives.predictor_hooks import apply_predictor_hooks
from dspex.primitives.streams import active_sink
from dspex.settings import settings
from dspex.signatures.errors import FieldValidationError
from dspex.signatures.signature import Signature, SignatureMeta, ensure_signature
from dspex.signatures.types import allows_none, annotation_name, jsonable
from dspex.signatures.validation import validate_field

if TYPE_CHECKING:
    from dspex.lm import LM

__all__ = ["NoLMConfiguredError", "Predict", "accept_inputs"]

logger = logging.getLogger(__name__)

_DEFAULT_ADAPTER = ChatAdapter()


UNSAFE_LM_STATE_KEYS = frozenset({"base_url", "api_base", "api_key_env", "model_list"})


def accept_inputs(signature: type[Signature], values: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a predictor call runs on.

    By default DSPy's rules: declared defaults fill missing fields; unknown fields are dropped
    and a value that does not fit its type is passed on as given, each with DSPy's warning (in
    this module's logger); missing fields are warned about. With ``configure(strict_inputs=True)``
    each of these is a :class:`~dspex.FieldValidationError` naming the field, before any LM call.
    """
    if settings.get("strict_inputs"):
        return signature.validate_inputs(values)
    fields = signature.input_fields
    extra = [name for name in values if name not in fields]
    if extra:
        logger.warning(
            "Input contains fields not in signature. These fields will be ignored: %s. Expected fields: %s.",
            extra,
            list(fields),
        )
    accepted: dict[str, Any] = {}
    missing: list[str] = []
    for name, field in fields.items():
        if name not in values:
            if field.has_default:
                accepted[name] = field.default_value()
            elif not allows_none(field.annotation):
                missing.append(name)
            continue
        value = values[name]
        if value is None or field.type_undefined:
            accepted[name] = value
            continue
        try:
            accepted[name] = validate_field(name, field, value)
        except FieldValidationError:
            logger.warning(
                "Type mismatch for field '%s': expected %s based on given Signature, "
                "but the provided value is incompatible: %s.",
                name,
                annotation_name(field.annotation),
                value,
            )
            accepted[name] = value
    if missing:
        logger.warning(
            "Not all input fields were provided to module. Present: %s. Missing: %s.",
            [name for name in fields if name in values],
            missing,
        )
    return accepted


class Predict(Module, Parameter):
    """Map inputs to outputs with one LM call.

    ``Predict("question -> answer", temperature=0.7)`` keeps ``temperature`` as default LM config;
    a call can override it with ``config={...}``, pass another ``lm=``, other ``demos=``.
    """

    def __init__(self, signature: str | type[Signature], **config: Any):
        # ``callbacks=`` observe this predictor's calls (dspex.callbacks); never LM config.
        super().__init__(callbacks=config.pop("callbacks", None))
        self.signature = ensure_signature(signature)
        self.config: dict[str, Any] = config
        self.stage = random.randbytes(8).hex()
        self.reset()

    def reset(self) -> None:
        """Drop the demos, traces and per-predictor LM; the signature stays."""
        self.lm: LM | None = None
        self.demos: list[Any] = []
        self.traces: list[Any] = []
        self.train: list[Any] = []

    # -- calling ----------------------------------------------------------------------------
    # ``predict(question=...)`` / ``await predict.acall(question=...)`` are Module's: through the
    # call hooks (the router: ``backend="dspy"`` runs the same call on dspy). Inputs are keywords.
    _keyword_only = True

    if TYPE_CHECKING:
        # Module's calls, typed: a Predict gives a Prediction on either backend (the bridge
        # converts dspy's), so modules built on one need no casts.
        def __call__(self, *args: Any, **kwargs: Any) -> Prediction: ...

        async def acall(self, *args: Any, **kwargs: Any) -> Prediction: ...

    @without_assertion_scope  # no user code runs here: checks around the call still send it back
    def forward(self, **kwargs: Any) -> Prediction:
        """One LM call. Besides the inputs: ``lm=``, ``config={...}``, ``demos=[...]``, ``signature=``."""
        lm, config, signature, demos, inputs = self._prepare(kwargs)
        adapter = settings.get("adapter") or _DEFAULT_ADAPTER
        sink = active_sink()
        if sink is not None and sink.streams_here(self):  # a sync module inside a stream
            completions = sink.call_predictor_blocking(self, adapter, lm, config, signature, demos, inputs)
        else:
            completions = adapter(lm, config, signature, demos, inputs)
        return self._finish(completions, inputs)

    @without_assertion_scope
    async def aforward(self, **kwargs: Any) -> Prediction:
        """Async :meth:`forward`, on the event loop (no worker thread)."""
        lm, config, signature, demos, inputs = self._prepare(kwargs)
        adapter = settings.get("adapter") or _DEFAULT_ADAPTER
        sink = active_sink()
        if sink is None:
            completions = await adapter.acall(lm, config, signature, demos, inputs)
        else:  # inside dspex.streamify: stream the output fields as they arrive
            completions = await sink.call_predictor(self, adapter, lm, config, signature, demos, inputs)
        return self._finish(completions, inputs)

    def get_config(self) -> dict[str, Any]:
        """The default LM configuration of this predictor (``Predict(..., temperature=0.7)``)."""
        return self.config

    def update_config(self, **config: Any) -> None:
        """Add to or change the default LM configuration."""
        self.config = {**self.config, **config}

    def lm_for_call(self, given: Any = None) -> LM:
        """The LM a call uses: ``given`` (the call's ``lm=``), else this predictor's, else the
        configured one. :class:`NoLMConfiguredError` when there is none."""
        lm = given or self.lm or settings.get("lm")
        if lm is None:
            raise NoLMConfiguredError()
        if isinstance(lm, str):
            raise TypeError(f"lm must be a dspex.LM, not the string {lm!r}; use dspex.LM({lm!r})")
        return lm

    def _prepare(
        self, kwargs: dict[str, Any]
    ) -> tuple[LM, dict[str, Any], type[Signature], list[Any], dict[str, Any]]:
        signature = kwargs.pop("signature", self.signature)
        if not isinstance(signature, SignatureMeta):
            signature = ensure_signature(signature)
        demos = kwargs.pop("demos", self.demos)
        config = self.config
        config = {**config, **kwargs.pop("config", {})} if "config" in kwargs or config else {}
        lm = self.lm_for_call(kwargs.pop("lm", None))
        defaults = getattr(lm, "kwargs", {})
        n = config.get("n") or defaults.get("n") or 1
        if n > 1:
            temperature = config.get("temperature", defaults.get("temperature"))
            if temperature is None or temperature <= 0.15:
                config["temperature"] = 0.7  # several samples need randomness (DSPy's rule)
        signature, kwargs = apply_predictor_hooks(self, signature, kwargs)  # assertions, Refine hints
        inputs = accept_inputs(signature, kwargs)
        return lm, config, signature, demos, inputs

    def _finish(self, completions: list[dict[str, Any]], inputs: dict[str, Any]) -> Prediction:
        prediction = Prediction.from_completions(completions)
        trace = settings.get("trace")
        if trace is not None:
            trace.append((self, inputs, prediction))
        return prediction

    def _positional_error(self) -> str:
        names = list(self.signature.input_fields)
        return (
            f"{type(self).__name__} takes keyword arguments named after the signature's inputs "
            f"({', '.join(names)}), e.g. predict({names[0] if names else 'field'}=...)"
        )

    # -- state (DSPy layout) -----------------------------------------------------------------
    def dump_state(self) -> dict[str, Any]:
        """Demos, signature and LM configuration in DSPy's layout (never an API key)."""
        demos = []
        for demo in self.demos:
            data = demo.toDict() if isinstance(demo, Example) else dict(demo)
            demos.append({k: jsonable(v) for k, v in data.items()})
        return {
            "traces": [],
            "train": [],
            "demos": demos,
            "signature": self.signature.dump_state(),
            "lm": self.lm.dump_state() if self.lm is not None else None,
        }

    def load_state(self, state: Mapping[str, Any], *, allow_unsafe_lm_state: bool = False) -> Predict:
        """Restore demos, instructions, field prefixes/descriptions and the LM from ``state``.

        A state file must not decide where requests go or which secret they carry, so the LM's
        ``base_url`` and ``api_key_env`` are dropped unless ``allow_unsafe_lm_state=True`` (only
        for files you trust) — the same rule as DSPy's ``allow_unsafe_lm_state``.
        """
        if "signature" in state:
            self.signature = self.signature.load_state(state["signature"])
        self.demos = [Example(d) for d in copy.deepcopy(state.get("demos", []))]
        lm_state = state.get("lm")
        if lm_state:
            from dspex.lm import LM

            if not allow_unsafe_lm_state:
                dropped = sorted(
                    k for k, v in lm_state.items() if k in UNSAFE_LM_STATE_KEYS and v is not None
                )
                if dropped:
                    logger.warning(
                        "ignored the LM endpoint settings %s of a loaded state (pass "
                        "allow_unsafe_lm_state=True to keep them, only for files you trust)",
                        dropped,
                    )
                lm_state = {k: v for k, v in lm_state.items() if k not in UNSAFE_LM_STATE_KEYS}
            self.lm = LM.from_state(lm_state)
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.signature.signature})"
