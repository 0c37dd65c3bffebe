"""The LM calls of a run as usage totals and unsaved ``LMCallTrace`` rows."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from core.safe_input import storable
from programs.gateway.signatures import jsonable

if TYPE_CHECKING:
    from dspex.lm.tracking import LMCall
    from programs.models import Execution, LMCallTrace

__all__ = ["traces_from_calls", "usage_totals"]


_COST_PLACES = Decimal("0.00000001")


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(_COST_PLACES)


def usage_totals(calls: list[LMCall]) -> tuple[int, int, Decimal | None]:
    """Prompt tokens, completion tokens and cost (``None`` when a call's cost is unknown)."""
    prompt = sum(int(call.usage.get("prompt_tokens", 0)) for call in calls)
    completion = sum(int(call.usage.get("completion_tokens", 0)) for call in calls)
    costs = [call.cost for call in calls if call.cost is not None]
    cost = None if len(costs) < len(calls) else _decimal(sum(costs))
    return prompt, completion, cost


def traces_from_calls(execution: Execution, calls: list[LMCall]) -> list[LMCallTrace]:
    """Unsaved ``LMCallTrace`` rows, in call order."""
    from django.utils.dateparse import parse_datetime

    from programs.models import LMCallTrace

    return [
        LMCallTrace(
            execution=execution,
            position=position,
            model=call.model,
            messages=storable(jsonable(call.messages)),
            params=storable(jsonable(call.params)),
            outputs=storable(list(call.outputs)),
            usage=dict(call.usage),
            finish_reasons=list(call.finish_reasons or []),
            latency_ms=call.latency_ms,
            cache_hit=bool(call.cache_hit),
            cost=_decimal(call.cost),
            created_at=parse_datetime(call.timestamp) if call.timestamp else None,
        )
        for position, call in enumerate(calls)
    ]
