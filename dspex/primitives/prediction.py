"""``Prediction``: the outputs of a module call, with every completion when ``n > 1``."""

from __future__ import annotations

from typing import Any

from dspex.primitives.example import Example

__all__ = ["Completions", "Prediction"]

_set = object.__setattr__


class Completions:
    """All completions of one call, readable per field: ``pred.completions.answer -> [..]``."""

    def __init__(self, items: list[dict[str, Any]]):
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Prediction:
        return Prediction(self._items[index])

    def __getattr__(self, key: str) -> list[Any]:
        if key.startswith("_"):
            raise AttributeError(key)
        if self._items and key not in self._items[0]:
            raise AttributeError(f"completions have no field {key!r}")
        return [item.get(key) for item in self._items]

    def __repr__(self) -> str:
        return f"Completions({self._items!r})"


class Prediction(Example):
    """Outputs of a module call. Fields are attributes: ``pred.answer``."""

    __slots__ = ("_attempts", "_completions", "_lm_usage", "_suggestion_failures")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        object.__setattr__(self, "_completions", None)
        object.__setattr__(self, "_lm_usage", None)
        object.__setattr__(self, "_suggestion_failures", None)
        object.__setattr__(self, "_attempts", None)  # set by the hybrid router

    @classmethod
    def from_completions(cls, completions: list[dict[str, Any]]) -> Prediction:
        """The first completion becomes the fields; all are kept in ``.completions``."""
        first = completions[0] if completions else {}
        if cls.__init__ is not Prediction.__init__ or type(first) is not dict:  # the general way
            pred = cls(first)
            object.__setattr__(pred, "_completions", Completions(completions))
            return pred
        # What __init__ would do, without its argument handling: this runs on every predictor call.
        pred = cls.__new__(cls)
        _set(pred, "_store", dict(first))
        _set(pred, "_input_keys", None)
        _set(pred, "_completions", Completions(completions))
        _set(pred, "_lm_usage", None)
        _set(pred, "_suggestion_failures", None)
        _set(pred, "_attempts", None)
        return pred

    @property
    def completions(self) -> Completions:
        """Every completion of the call (just this prediction when there was one)."""
        return self._completions if self._completions is not None else Completions([self.to_dict()])

    def get_lm_usage(self) -> dict[str, Any] | None:
        """Tokens per LM spent making this prediction (set when ``track_usage=True`` is
        configured; ``None`` otherwise)."""
        usage: dict[str, Any] | None = self._lm_usage
        return usage

    def set_lm_usage(self, value: dict[str, Any] | None) -> None:
        """Record the tokens per LM spent making this prediction."""
        object.__setattr__(self, "_lm_usage", value)

    @property
    def suggestion_failures(self) -> list[str]:
        """Messages of ``dspex.Suggest`` checks still unmet when the module returned this."""
        return list(self._suggestion_failures or [])

    def __repr__(self) -> str:
        fields = ",\n    ".join(f"{k}={v!r}" for k, v in self._store.items())
        extra = (
            f"\n    ({len(self._completions) - 1} more completions)"
            if self._completions and len(self._completions) > 1
            else ""
        )
        return f"Prediction(\n    {fields}{extra}\n)"

    def __float__(self) -> float:
        if "score" not in self._store:
            raise ValueError("this Prediction has no `score` to convert to float")
        return float(self._store["score"])
