"""``Code``: source code in a field; ``Code["java"]`` names the language."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pydantic

from dspex.types.base import Type

__all__ = ["Code"]

_FENCED = re.compile(r"```(?:[^\n]*)\n(.*?)```", re.DOTALL)
_INLINE = re.compile(r"```(.*?)```", re.DOTALL)


class Code(Type):
    """Code as text (``code``). As an input it is written as is; as an output the LM is asked
    for a markdown code block, whose fences are removed when parsed."""

    code: str
    language: ClassVar[str] = "python"

    def format(self) -> str:
        return self.code

    @pydantic.model_serializer()
    def serialize_model(self) -> Any:
        return self.format()

    @classmethod
    def description(cls) -> str:
        return (
            "Code represented in a string, specified in the `code` field. If this is an output field, "
            "the code field should follow the markdown code block format, e.g. \n"
            f"```{cls.language.lower()}\n{{code}}\n```"
            f"\nProgramming language: {cls.language}"
        )

    @pydantic.model_validator(mode="before")
    @classmethod
    def _normalize(cls, data: Any) -> Any:
        if isinstance(data, cls):
            return data
        if isinstance(data, str):
            return {"code": _unfence(data)}
        if isinstance(data, dict):
            if "code" not in data:
                raise ValueError("`code` field is required for `dspy.Code`")
            if not isinstance(data["code"], str):
                raise ValueError(f"`code` field must be a string, but received type: {type(data['code'])}")
            return {"code": _unfence(data["code"])}
        raise ValueError(f"Received invalid value for `dspy.Code`: {data}")

    def __class_getitem__(cls, language: Any) -> Any:
        """``Code["java"]``: a subclass whose ``language`` is ``"java"``."""
        subclass = pydantic.create_model(f"{cls.__name__}_{language}", __base__=cls)
        subclass.language = language
        return subclass


def _unfence(text: str) -> str:
    """The code inside the first markdown code block of ``text`` (``text`` when there is none)."""
    match = _FENCED.search(text) or _INLINE.search(text)
    return match.group(1).strip() if match else text
