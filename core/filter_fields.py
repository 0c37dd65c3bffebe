"""Filters shared by the apps' REST and GraphQL filtersets, safe on every database.

``IsoDateTimeFilter``: django-filter's, but the value is converted to UTC while it is parsed. Python
accepts offsets up to ±23:59 (``+22:50``) and PostgreSQL only up to ±15:59, and a date next to the
ends of the calendar (``0001-01-01T00:00:00+05:00``, ``9999-12-31T23:59:59-05:00``) overflows when
converted: either used to fail in the query (a 500). Now an offset no place uses (beyond -12:00 or
+14:00), a date out of range, or garbage is a 400 naming the filter (a GraphQL error naming it, in
the GraphQL API).

``IdFilter``: an integer that fits a 64-bit primary key (``NumberFilter`` takes any decimal, and
``?program=1e30`` overflowed the database driver). ``FiniteNumberFilter``: a float, never
``inf``/``nan`` (``?min_score=1e400``).
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

__all__ = ["FiniteNumberFilter", "IdFilter", "IsoDateTimeFilter", "UTCIsoDateTimeField"]

BIGINT_MAX = 2**63 - 1


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date/time with a real UTC offset (-12:00 to +14:00), returned in UTC."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        try:
            result: datetime.datetime | None = super().to_python(value)
        except OverflowError:  # made aware at the very ends of the calendar
            result = _OUT_OF_RANGE
        if result is None:
            return None
        if result is not _OUT_OF_RANGE:
            offset = result.utcoffset()
            if offset is not None and not _LOWEST_OFFSET <= offset <= _HIGHEST_OFFSET:
                raise ValidationError(
                    f"The UTC offset {_offset_text(offset)} is not one any place uses "
                    "(they go from -12:00 to +14:00).",
                    code="invalid",
                )
            try:
                return result.astimezone(datetime.UTC)
            except (OverflowError, ValueError):
                pass
        raise ValidationError(
            "The date/time is out of range (in UTC it must fall between years 1 and 9999).",
            code="invalid",
        )


_OUT_OF_RANGE = datetime.datetime.min  # a marker: a value to_python never returns
_LOWEST_OFFSET = -datetime.timedelta(hours=12)
_HIGHEST_OFFSET = datetime.timedelta(hours=14)


def _offset_text(offset: datetime.timedelta) -> str:
    sign = "-" if offset < datetime.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class IdFilter(django_filters.NumberFilter):
    """The id of a row: an integer from 0 to 2**63 - 1."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class FiniteNumberFilter(django_filters.NumberFilter):
    """A finite float (Django's ``FloatField`` refuses ``inf`` and ``nan``)."""

    field_class = forms.FloatField
