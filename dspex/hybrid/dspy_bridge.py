"""Conversions between dspex and dspy, and running dspex modules on dspy.

- Signatures: :func:`to_dspy_signature` / :func:`from_dspy_signature` (field types, descriptions,
  prefixes, constraints, defaults, instructions).
- LMs: :func:`to_dspy_lm` builds a ``dspy.LM`` for the same endpoint and generation parameters.
  The API key is read from the variable the dspex LM names, at conversion time; it is never put in
  a state, a file or a log. The local model is reached at its managed server's base URL with
  ``max_tokens`` and ``stop`` set explicitly (dspy sends neither by default), and its messages
  get the system text merged into the first user turn, as dspex sends them (llama.cpp's gemma
  chat format drops system messages).
- Data: examples, predictions and demos both ways; program state both ways (dspex's
  ``dump_state`` already has DSPy's JSON layout; only LM entries differ).
- Isolation: every bridged call runs inside ``dspy.context(lm=..., adapter=...)``, so concurrent
  calls never share dspy settings; ``dspy.configure`` is never called. dspy's disk cache lives
  in a per-project directory (setting ``dspy_cache_dir``, else ``$DSPY_CACHEDIR``, else
  ``./.dspex/dspy_cache``), never in ``~/.dspy_cache``, and loads back only known-safe types
  (dspy's ``restrict_pickle``).

dspy is imported by :func:`load_dspy` on first use only.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

from dspex.adapters.json_adapter import JSONAdapter
from dspex.hybrid.registry import implementation
from dspex.lm import LM
from dspex.lm.credentials import CONNECTION_KEYS, reject_connection_keys
from dspex.lm.lm import PLACEHOLDER_KEY
from dspex.lm.providers import PROVIDERS
from dspex.lm.providers.local import gemma_messages
from dspex.lm.tracking import publish, tracking_active
from dspex.modules.predict import accept_inputs
from dspex.primitives.example import Example
from dspex.primitives.prediction import Prediction
from dspex.settings import settings
from dspex.signatures.field import CONSTRAINT_NAMES, InputField, OutputField
from dspex.signatures.signature import Signature, ensure_signature, make_signature

__all__ = [
    "DspyCall",
    "acall_mapped",
    "arun_on_dspy",
    "bridge_context",
    "call_mapped",
    "chain_of_thought_call",
    "chain_of_thought_to_dspy",
    "dspy_cache_dir",
    "from_dspy_example",
    "from_dspy_lm",
    "from_dspy_prediction",
    "from_dspy_signature",
    "from_dspy_state",
    "load_dspy",
    "predict_call",
    "predict_to_dspy",
    "run_on_dspy",
    "to_dspy_adapter",
    "to_dspy_example",
    "to_dspy_lm",
    "to_dspy_lm_state",
    "to_dspy_prediction",
    "to_dspy_signature",
    "to_dspy_state",
]

logger = logging.getLogger("dspex.hybrid")

_lock = threading.RLock()
_dspy: Any = None
_cache_dir: str | None = None
_lm_cache: dict[tuple[str, str], Any] = {}
_LM_CACHE_SIZE = 64
_DSPY_LM_STATE_DROP = frozenset({"base_url", "api_key_env", "rpm", "tpm", "retry_backoff", "timeout"})


# -- loading dspy ----------------------------------------------------------------------------------
def dspy_cache_dir() -> str:
    """Where dspy's disk cache goes: setting ``dspy_cache_dir``, else ``$DSPY_CACHEDIR``, else
    ``.dspex/dspy_cache`` under the current directory."""
    configured = settings.get("dspy_cache_dir")
    if configured:
        return str(Path(configured).expanduser().resolve())
    explicit = os.environ.get("DSPY_CACHEDIR")
    if explicit:
        return str(Path(explicit).expanduser().resolve())
    return str((Path.cwd() / ".dspex" / "dspy_cache").resolve())


_seen: tuple[Any, str | None] | None = None  # (setting, $DSPY_CACHEDIR) the cache dir came from


def load_dspy() -> Any:
    """Import dspy (once) with an offline LiteLLM cost map and the per-project disk cache."""
    global _dspy, _cache_dir, _seen
    seen = (settings.get("dspy_cache_dir"), os.environ.get("DSPY_CACHEDIR"))
    if _dspy is not None and seen == _seen:
        return _dspy
    wanted = dspy_cache_dir()
    with _lock:
        _seen = seen
        if _dspy is None:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            # dspy reads this at import time for its other subdirectories (fine-tuning data, ...).
            os.environ.setdefault("DSPY_CACHEDIR", wanted)
            import dspy

            _dspy = dspy
        if _cache_dir != wanted:
            Path(wanted).mkdir(parents=True, exist_ok=True)
            # restrict_pickle: dspy's disk cache is pickle-based; only known-safe types load back.
            _dspy.configure_cache(disk_cache_dir=wanted, restrict_pickle=True)
            _cache_dir = wanted
    return _dspy


# -- signatures ------------------------------------------------------------------------------------
def to_dspy_signature(signature: type[Signature]) -> Any:
    """The ``dspy.Signature`` with the same fields (names, kinds, types, descriptions, prefixes,
    constraints, defaults) and instructions. Cached per signature."""
    cache = signature._cache
    cached = cache.get("dspy_signature")
    if cached is not None:
        return cached
    dspy = load_dspy()
    fields: dict[str, Any] = {}
    for name, info in signature.fields.items():
        options: dict[str, Any] = {"desc": info.desc, **info.constraints}
        if info.default_factory is not None:
            options["default_factory"] = info.default_factory
        elif info.has_default:
            options["default"] = info.default
        if info.type_undefined:
            options["IS_TYPE_UNDEFINED"] = True
        make = dspy.InputField if info.is_input else dspy.OutputField
        fields[name] = (info.annotation, make(**options))
    converted = dspy.Signature(fields, signature.instructions, signature_name=signature.__name__)
    # Prefixes go through the state API: dspy warns when they are passed to the field constructors.
    converted = converted.load_state(signature.dump_state())
    cache["dspy_signature"] = converted
    return converted


def from_dspy_signature(dspy_signature: Any) -> type[Signature]:
    """The dspex Signature equivalent to a ``dspy.Signature`` class."""
    fields: dict[str, Any] = {}
    for name, info in dspy_signature.fields.items():
        extra = info.json_schema_extra or {}
        options: dict[str, Any] = {"desc": extra.get("desc"), "prefix": extra.get("prefix")}
        for meta in info.metadata:
            for constraint in CONSTRAINT_NAMES:
                value = getattr(meta, constraint, None)
                if value is not None:
                    options[constraint] = value
        if info.default_factory is not None:
            options["default_factory"] = info.default_factory
        elif not info.is_required() and info.default is not None:
            options["default"] = info.default
        make = InputField if extra.get("__dspy_field_type") == "input" else OutputField
        fields[name] = (info.annotation, make(**options))
    converted = make_signature(fields, dspy_signature.instructions, signature_name=dspy_signature.__name__)
    for name, info in dspy_signature.fields.items():
        if (info.json_schema_extra or {}).get("IS_TYPE_UNDEFINED"):
            converted._fields[name] = converted._fields[name].replace(type_undefined=True)
    return converted


# -- LMs -------------------------------------------------------------------------------------------
def _dspy_model_and_base(lm: LM) -> tuple[str, str | None]:
    if lm.provider == "local":
        # The managed llama.cpp server; "hosted_vllm/" makes dspy send ``max_tokens`` (not
        # ``max_completion_tokens``, which llama.cpp ignores) to an OpenAI-compatible base URL.
        base = lm._provider.resolve_base_url(lm.base_url, lm.model_name)
        return f"hosted_vllm/{lm.model_name}", base
    return f"{lm.provider}/{lm.model_name}", lm.base_url


def to_dspy_lm(lm: LM, *, samples: int = 1) -> Any:
    """A ``dspy.LM`` for the same endpoint, model and generation parameters as ``lm``.

    The key comes from the LM's credential (read now, held only by the in-memory ``dspy.LM``; dspy
    leaves it out of its state). Cached per configuration and key. ``samples > 1`` (``n``) selects
    dspy's LiteLLM engine: its default engine reads one choice.

    dspy's response cache ignores the key and the endpoint, so an LM given an explicit
    ``credential=`` (a tenant's) runs with dspy's cache off: tenants never share answers there.
    """
    dspy = load_dspy()
    key = lm._api_key()
    if not key:
        if not lm._key_optional:
            raise lm._missing_key_error()
        key = PLACEHOLDER_KEY
    model, base = _dspy_model_and_base(lm)
    samples = max(samples, int(lm.kwargs.get("n") or 1))
    tenant = lm._given_credential is not None
    config = json.dumps(
        [model, base, lm.dump_state(), samples > 1, lm.credential_id], sort_keys=True, default=str
    )
    cache_key = (config, hashlib.sha256(key.encode()).hexdigest())
    cached = _lm_cache.get(cache_key)
    if cached is not None:
        return cached
    params = {k: v for k, v in lm.kwargs.items() if k not in CONNECTION_KEYS}
    options: dict[str, Any] = {
        "model_type": lm.model_type,
        "cache": lm.cache and not tenant,
        "num_retries": lm.num_retries,
        "api_key": key,
        "timeout": lm.timeout,
    }
    if base:
        options["api_base"] = base
    if samples > 1:
        options["engine"] = "litellm"
    temperature = params.pop("temperature", None)
    max_tokens = params.pop("max_tokens", None)
    converted = dspy.LM(model, temperature=temperature, max_tokens=max_tokens, **options, **params)
    with _lock:
        if len(_lm_cache) >= _LM_CACHE_SIZE:
            _lm_cache.clear()
        _lm_cache[cache_key] = converted
    return converted


def from_dspy_lm(dspy_lm: Any, *, api_key_env: str | None = None) -> LM:
    """A dspex ``LM`` for a ``dspy.LM``'s model, base URL and generation parameters.

    The key itself is not carried over: name the variable holding it with ``api_key_env``.
    """
    params = {k: v for k, v in dspy_lm.kwargs.items() if not k.startswith("api_") and v is not None}
    base = params.pop("base_url", None) or params.pop("api_base", None) or dspy_lm.kwargs.get("api_base")
    params = {k: v for k, v in params.items() if k not in CONNECTION_KEYS}
    if "max_completion_tokens" in params:
        params["max_tokens"] = params.pop("max_completion_tokens")
    params.pop("timeout", None)
    model = dspy_lm.model
    if model.startswith("hosted_vllm/"):
        model = "openai/" + model.split("/", 1)[1]
    return LM(
        model,
        base_url=base,
        api_key_env=api_key_env,
        model_type=dspy_lm.model_type if dspy_lm.model_type in ("chat", "text") else "chat",
        cache=dspy_lm.cache,
        num_retries=dspy_lm.num_retries,
        **params,
    )


def to_dspy_lm_state(state: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A dspex LM state in the layout ``dspy.LM`` loads (no endpoint, no key-variable name)."""
    if not state:
        return None
    converted = {k: v for k, v in state.items() if k not in _DSPY_LM_STATE_DROP}
    if str(converted.get("model", "")).startswith("local/"):
        converted["model"] = "hosted_vllm/" + converted["model"].split("/", 1)[1]
    return converted


# -- adapters ---------------------------------------------------------------------------------------
_adapters: dict[tuple[str, bool, bool], Any] = {}
_gemma_classes: dict[type, type] = {}


def _gemma_turns(base: Any) -> type:
    """``base`` (a dspy adapter class) whose messages have the system text merged into the first
    user turn — what dspex's local provider sends, since llama.cpp's gemma format drops system
    messages."""
    found = _gemma_classes.get(base)
    if found is None:

        def format(self: Any, signature: Any, demos: Any, inputs: Any) -> list[dict[str, Any]]:
            return gemma_messages(base.format(self, signature, demos, inputs))

        found = type(f"Gemma{base.__name__}", (base,), {"format": format, "__module__": __name__})
        _gemma_classes[base] = found
    return found


def to_dspy_adapter(adapter: Any, *, gemma_turns: bool = False) -> Any:
    """dspy's adapter of the same kind (JSON or chat, with the same JSON fallback switch).

    ``gemma_turns`` (for the local model) merges the system message into the first user turn.
    """
    dspy = load_dspy()
    kind = "json" if isinstance(adapter, JSONAdapter) else "chat"
    fallback = bool(getattr(adapter, "use_json_adapter_fallback", True))
    key = (kind, fallback, gemma_turns)
    found = _adapters.get(key)
    if found is None:
        base = dspy.JSONAdapter if kind == "json" else dspy.ChatAdapter
        cls = _gemma_turns(base) if gemma_turns else base
        found = cls() if kind == "json" else cls(use_json_adapter_fallback=fallback)
        _adapters[key] = found
    return found


@contextmanager
def bridge_context(
    lm: LM | None = None, adapter: Any = None, *, samples: int = 1, **extra: Any
) -> Iterator[Any]:
    """``dspy.context(lm=<converted lm>, adapter=<converted adapter>, **extra)``; yields dspy.

    Only the current thread/task sees these settings: concurrent bridged calls stay isolated.
    """
    dspy = load_dspy()
    overrides = dict(extra)
    if lm is not None:
        overrides["lm"] = lm if _is_dspy_lm(lm) else to_dspy_lm(lm, samples=samples)
    local = getattr(lm, "provider", None) == "local"
    overrides["adapter"] = to_dspy_adapter(
        adapter if adapter is not None else settings.get("adapter"), gemma_turns=local
    )
    if tracking_active():
        recorder = _call_recorder()
        overrides["callbacks"] = [*(overrides.get("callbacks") or dspy.settings.callbacks or []), recorder]
        overrides["usage_tracker"] = recorder.tracker
    with dspy.context(**overrides):
        yield dspy


# -- LM calls made by dspy, reported to dspex.track_calls() -------------------------------------
_recorder_class: Any = None


def _call_recorder() -> Any:
    """A dspy callback that hands every LM call dspy makes to dspex's ``track_calls`` collectors
    (messages, parameters without credentials, outputs, token usage, latency)."""
    global _recorder_class
    if _recorder_class is None:
        from dspy.utils.callback import BaseCallback
        from dspy.utils.usage_tracker import UsageTracker

        class LMCallRecorder(BaseCallback):
            def __init__(self) -> None:
                self.tracker = UsageTracker()
                self.started: dict[str, tuple[float, Any, dict[str, Any], int]] = {}

            def on_lm_start(self, call_id: str, instance: Any, inputs: dict[str, Any]) -> None:
                seen = len(self.tracker.usage_data.get(getattr(instance, "model", ""), []))
                self.started[call_id] = (perf_counter(), instance, inputs, seen)

            def on_lm_end(self, call_id: str, outputs: Any, exception: BaseException | None = None) -> None:
                begun = self.started.pop(call_id, None)
                if begun is None or exception is not None:
                    return
                start, instance, inputs, seen = begun
                _publish_dspy_call(instance, inputs, outputs, self.tracker, seen, start)

        _recorder_class = LMCallRecorder
    return _recorder_class()


def _publish_dspy_call(
    instance: Any, inputs: dict[str, Any], outputs: Any, tracker: Any, seen: int, start: float
) -> None:
    model = str(getattr(instance, "model", ""))
    usages = tracker.usage_data.get(model, [])[seen:]
    prompt = sum(int(u.get("prompt_tokens") or 0) for u in usages)
    completion = sum(int(u.get("completion_tokens") or 0) for u in usages)
    messages = inputs.get("messages") or [{"role": "user", "content": inputs.get("prompt") or ""}]
    call_kwargs = inputs.get("kwargs") or {}
    params = {
        k: v
        for k, v in {**getattr(instance, "kwargs", {}), **call_kwargs}.items()
        if not k.startswith("api_") and k not in ("timeout",)
    }
    texts = [o.get("text") if isinstance(o, dict) else o for o in (outputs or [])]
    publish(
        {
            "model": model,
            "provider": model.split("/", 1)[0] if "/" in model else "openai",
            "messages": messages,
            "params": params,
            "outputs": texts,
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "cached_tokens": 0,
                "total_tokens": prompt + completion,
            },
            "cost": None,
            "latency_ms": (perf_counter() - start) * 1000.0,
            "cache_hit": not usages,
            "timestamp": datetime.now(UTC).isoformat(),
            "finish_reasons": [],
            "response_model": None,
        }
    )


def _is_dspy_lm(value: Any) -> bool:
    return type(value).__module__.startswith("dspy.")


# -- examples and predictions --------------------------------------------------------------------
def to_dspy_example(example: Any) -> Any:
    """A ``dspy.Example`` with the same fields and input keys."""
    dspy = load_dspy()
    if isinstance(example, Example):
        converted = dspy.Example(**example.to_dict())
        if example.input_keys is not None:
            converted = converted.with_inputs(*example.input_keys)
        return converted
    return dspy.Example(**dict(example))


def from_dspy_example(example: Any) -> Example:
    """A dspex ``Example`` with the same fields and input keys."""
    converted = Example(dict(example.items()))
    keys = getattr(example, "_input_keys", None)
    return converted.with_inputs(*keys) if keys is not None else converted


def to_dspy_prediction(prediction: Any) -> Any:
    """A ``dspy.Prediction`` with the same fields and completions."""
    dspy = load_dspy()
    if not isinstance(prediction, Prediction):
        return prediction
    completions = prediction.completions
    items = [completions[i].to_dict() for i in range(len(completions))]
    if len(items) > 1:
        return dspy.Prediction.from_completions(items)
    return dspy.Prediction(**prediction.to_dict())


def from_dspy_prediction(prediction: Any) -> Prediction:
    """A dspex ``Prediction`` with the same fields and every completion."""
    completions = getattr(prediction, "_completions", None)
    if completions is not None and len(completions) > 0:
        items = [dict(completions[i].items()) for i in range(len(completions))]
        return Prediction.from_completions(items)
    return Prediction.from_completions([dict(prediction.items())])


def _to_dspy_demos(demos: list[Any]) -> list[Any]:
    dspy = load_dspy()
    return [dspy.Example(**(d.to_dict() if isinstance(d, Example) else dict(d))) for d in demos]


# -- program state ---------------------------------------------------------------------------------
def to_dspy_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """A dspex program state as dspy loads it: the same layout, LM entries in dspy's form."""
    converted = copy.deepcopy(dict(state))
    for entry in _predictor_entries(converted):
        if "lm" in entry:
            entry["lm"] = to_dspy_lm_state(entry["lm"])
    return converted


def _predictor_entries(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-predictor dicts of a program state (a lone predictor's state is flat)."""
    if "signature" in state and "demos" in state:
        return [state]
    return [e for name, e in state.items() if name != "metadata" and isinstance(e, dict)]


def from_dspy_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """A dspy program state as dspex loads it (dspy-only LM keys are dropped by ``load_state``).

    ``hosted_vllm/<model>`` (any OpenAI-compatible server) becomes ``openai/<model>``; an LM of a
    provider dspex does not speak (e.g. ``gemini/...``) is left out with a warning, so that the
    demos and instructions still load.
    """
    converted = copy.deepcopy(dict(state))
    converted.pop("metadata", None)
    for entry in _predictor_entries(converted):
        lm_state = entry.get("lm")
        if not lm_state:
            continue
        provider, _, name = str(lm_state.get("model", "")).partition("/")
        if provider == "hosted_vllm":
            lm_state["model"] = f"openai/{name}"
        elif provider not in PROVIDERS or not name:
            logger.warning(
                "leaving out the LM %r of a dspy state: dspex speaks %s; set the LM after loading",
                lm_state.get("model"),
                ", ".join(sorted(PROVIDERS)),
            )
            entry["lm"] = None
    return converted


# -- native modules as dspy modules ---------------------------------------------------------------
def _load_predictor_state(native_predict: Any, dspy_predict: Any) -> None:
    dspy_predict.signature = to_dspy_signature(native_predict.signature)
    dspy_predict.demos = _to_dspy_demos(native_predict.demos)
    dspy_predict.lm = to_dspy_lm(native_predict.lm) if native_predict.lm is not None else None


def _checked_config(config: dict[str, Any]) -> dict[str, Any]:
    """A predictor's config as dspy call options: dspy reads ``api_base``, ``headers``, ... among
    them as connection settings, so those are refused (as the native LM refuses them)."""
    reject_connection_keys(config, "a predictor's config")
    return config


def predict_to_dspy(native: Any) -> Any:
    """A ``dspy.Predict`` with the native predictor's signature, config, demos and LM."""
    dspy = load_dspy()
    converted = dspy.Predict(to_dspy_signature(native.signature), **_checked_config(native.config))
    _load_predictor_state(native, converted)
    return converted


def chain_of_thought_to_dspy(native: Any) -> Any:
    """A ``dspy.ChainOfThought`` with the native module's signature, config, demos and LM."""
    dspy = load_dspy()
    extended = to_dspy_signature(native.predict.signature)
    converted = dspy.ChainOfThought(extended.delete("reasoning"), **_checked_config(native.predict.config))
    _load_predictor_state(native.predict, converted.predict)
    return converted


# -- running native modules on dspy ---------------------------------------------------------------
class DspyCall:
    """One native call planned for dspy: the dspy ``module`` to call with ``kwargs`` under ``lm``.

    ``trace_owner`` (the native predictor, for predictor calls) receives the trace entry of the
    call, with the validated ``inputs``; ``samples`` is the number of completions asked for.
    """

    __slots__ = ("inputs", "kwargs", "lm", "module", "samples", "trace_owner")

    def __init__(
        self, module: Any, kwargs: dict[str, Any], lm: Any, inputs: Any, trace_owner: Any, samples: int = 1
    ) -> None:
        self.module = module
        self.kwargs = kwargs
        self.lm = lm
        self.inputs = inputs
        self.trace_owner = trace_owner
        self.samples = samples


def _predict_twin(signature: Any) -> Any:
    return load_dspy().Predict(signature)


def _chain_of_thought_twin(signature: Any) -> Any:
    # the native signature already has ``reasoning``; dspy's ChainOfThought adds its own
    return load_dspy().ChainOfThought(signature.delete("reasoning"))


def _twin(signature: type[Signature], build: Any) -> Any:
    """The dspy module ``build(dspy_signature)`` makes for ``signature``, cached on the signature
    (calls pass their own signature, demos and config, so the cached module is never changed)."""
    cache = signature._cache
    key = f"dspy_twin:{build.__name__}"
    found = cache.get(key)
    if found is None:
        found = build(to_dspy_signature(signature))
        cache[key] = found
    return found


def _predictor_call(predict: Any, kwargs: dict[str, Any], build: Any) -> DspyCall:
    """Validate a predictor call the way the native ``Predict`` does and build its dspy call."""
    kwargs = dict(kwargs)
    signature = ensure_signature(kwargs.pop("signature", predict.signature))
    demos = kwargs.pop("demos", predict.demos)
    config = _checked_config({**predict.config, **kwargs.pop("config", {})})
    lm = predict.lm_for_call(kwargs.pop("lm", None))  # Predict's own rule and error
    inputs = accept_inputs(signature, kwargs)  # and its input rules
    call_kwargs = {
        **inputs,
        "signature": to_dspy_signature(signature),
        "demos": _to_dspy_demos(demos),
        "config": config,
    }
    return DspyCall(_twin(signature, build), call_kwargs, lm, inputs, predict, int(config.get("n") or 1))


def predict_call(native: Any, kwargs: dict[str, Any]) -> DspyCall:
    """A ``Predict`` call as a call of a cached ``dspy.Predict`` (registered as its ``dspy_call``)."""
    return _predictor_call(native, kwargs, _predict_twin)


def chain_of_thought_call(native: Any, kwargs: dict[str, Any]) -> DspyCall:
    """A ``ChainOfThought`` call as a call of a cached ``dspy.ChainOfThought``."""
    return _predictor_call(native.predict, kwargs, _chain_of_thought_twin)


def _plan(native: Any, type_name: str, kwargs: dict[str, Any]) -> DspyCall:
    """The dspy call for one call of ``native`` (a registered native type): its registered call
    planner, else its converter applied to the instance."""
    impl = implementation(type_name, "native")
    planner = impl.call_planner() if impl is not None else None
    if planner is not None:
        call: DspyCall = planner(native, kwargs)
        return call
    converter = impl.converter() if impl is not None else None
    if converter is None:
        raise RuntimeError(f"no native → dspy converter is registered for {type_name!r}")
    kwargs = dict(kwargs)
    lm = kwargs.pop("lm", None) or _first_lm(native) or settings.get("lm")
    return DspyCall(converter(native), kwargs, lm, None, None)


def _first_lm(native: Any) -> Any:
    for _, predictor in native.named_predictors():
        if getattr(predictor, "lm", None) is not None:
            return predictor.lm
    return None


def _finish(call: DspyCall, result: Any) -> Prediction:
    if call.trace_owner is not None:  # a private, cached twin: nobody reads its dspy history
        for module in (call.module, getattr(call.module, "predict", None)):
            if module is not None:
                module.history.clear()
    prediction = from_dspy_prediction(result)
    trace = settings.get("trace")
    if trace is not None and call.trace_owner is not None:
        trace.append((call.trace_owner, call.inputs, prediction))
    return prediction


def run_on_dspy(native: Any, type_name: str, kwargs: dict[str, Any]) -> Prediction:
    """Run a native module instance through dspy (same inputs, state and LM); a dspex Prediction."""
    call = _plan(native, type_name, kwargs)
    with bridge_context(call.lm, samples=call.samples):
        result = call.module(**call.kwargs)
    return _finish(call, result)


async def arun_on_dspy(native: Any, type_name: str, kwargs: dict[str, Any]) -> Prediction:
    """Async :func:`run_on_dspy` (``dspy`` ``acall``)."""
    call = _plan(native, type_name, kwargs)
    with bridge_context(call.lm, samples=call.samples):
        result = await call.module.acall(**call.kwargs)
    return _finish(call, result)


# -- predictors mapped onto dspy predictors (used while dspy optimizers run a dspex program) -------
def _mapped_kwargs(native: Any, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    kwargs = dict(kwargs)
    kwargs.pop("signature", None)  # the dspy predictor's signature is the one being optimized
    extra: dict[str, Any] = {}
    if "config" in kwargs:
        extra["config"] = kwargs.pop("config")
    if "demos" in kwargs:
        extra["demos"] = _to_dspy_demos(kwargs.pop("demos"))
    lm = kwargs.pop("lm", None)
    if lm is not None:
        extra["lm"] = lm if _is_dspy_lm(lm) else to_dspy_lm(lm)
    return native.signature.validate_inputs(kwargs), extra


def call_mapped(native: Any, dspy_predict: Any, kwargs: dict[str, Any]) -> Prediction:
    """Run ``native``'s call on the dspy predictor that stands for it."""
    inputs, extra = _mapped_kwargs(native, kwargs)
    prediction = from_dspy_prediction(dspy_predict(**inputs, **extra))
    trace = settings.get("trace")
    if trace is not None:
        trace.append((native, inputs, prediction))
    return prediction


async def acall_mapped(native: Any, dspy_predict: Any, kwargs: dict[str, Any]) -> Prediction:
    """Async :func:`call_mapped`."""
    inputs, extra = _mapped_kwargs(native, kwargs)
    prediction = from_dspy_prediction(await dspy_predict.acall(**inputs, **extra))
    trace = settings.get("trace")
    if trace is not None:
        trace.append((native, inputs, prediction))
    return prediction
