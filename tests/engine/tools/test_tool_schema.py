"""A Tool takes its name, description and argument schema from the function."""

from __future__ import annotations

from typing import Literal

import pydantic
import pytest

import dspex


def google(city: str, days: int = 3, unit: Literal["C", "F"] = "C") -> str:
    """Forecast the weather.

    Args:
        city: The city to look up.
        days (int): How many days ahead,
            at most 10.
        unit: Temperature unit.

    Returns:
        A short forecast.
    """
    return f"{city}: sunny for {days} days ({unit})"


def numpy_style(query: str, limit: int = 5) -> list[str]:
    """Search the notes.

    Parameters
    ----------
    query : str
        Words to look for.
    limit : int
        Most results to return.

    Returns
    -------
    list of str
    """
    return [query] * limit


def sphinx_style(a: float, b: float) -> float:
    """Multiply two numbers.

    :param a: The first factor.
    :param b: The second factor.
    :returns: The product.
    """
    return a * b


def test_it_reads_google_style_argument_descriptions():
    tool = dspex.Tool(google)
    assert tool.name == "google"
    assert tool.desc == "Forecast the weather."
    assert tool.args == {
        "city": {"type": "string", "description": "The city to look up."},
        "days": {"type": "integer", "default": 3, "description": "How many days ahead, at most 10."},
        "unit": {"enum": ["C", "F"], "type": "string", "default": "C", "description": "Temperature unit."},
    }


def test_it_reads_numpy_and_sphinx_style_argument_descriptions():
    assert dspex.Tool(numpy_style).args["limit"] == {
        "type": "integer",
        "default": 5,
        "description": "Most results to return.",
    }
    assert dspex.Tool(numpy_style).desc == "Search the notes."
    assert dspex.Tool(sphinx_style).arg_desc == {"a": "The first factor.", "b": "The second factor."}
    assert dspex.Tool(sphinx_style).desc == "Multiply two numbers."


def test_explicit_name_description_and_argument_descriptions_win():
    tool = dspex.Tool(google, name="weather", desc="Weather.", arg_desc={"city": "Where."})
    assert (tool.name, tool.desc) == ("weather", "Weather.")
    assert tool.args["city"]["description"] == "Where."
    assert tool.args["unit"]["description"] == "Temperature unit."


class Address(pydantic.BaseModel):
    street: str
    zip_code: int


class Order(pydantic.BaseModel):
    item: str
    address: Address


def ship(order: Order) -> str:
    """Ship an order."""
    return order.address.street


def test_pydantic_arguments_get_an_inlined_schema():
    tool = dspex.Tool(ship)
    assert "$ref" not in str(tool.args) and "$defs" not in str(tool.args)
    assert tool.args["order"]["properties"]["address"]["properties"]["zip_code"] == {
        "title": "Zip Code",
        "type": "integer",
    }
    assert tool(order={"item": "book", "address": {"street": "Main St", "zip_code": "12345"}}) == "Main St"


def test_callable_objects_and_functions_without_hints_work():
    class Greeter:
        """Say hello."""

        def __call__(self, name, punctuation: str = "!"):
            return f"hello {name}{punctuation}"

    tool = dspex.Tool(Greeter())
    assert tool.name == "Greeter"
    assert tool.desc == "Say hello."
    assert tool.args == {"name": {}, "punctuation": {"type": "string", "default": "!"}}
    assert tool(name=3) == "hello 3!"


def test_the_function_calling_schema_lists_required_arguments():
    schema = dspex.Tool(google).format_as_function_call()
    assert schema["function"]["name"] == "google"
    assert schema["function"]["parameters"]["required"] == ["city"]


@pytest.mark.dspy
def test_its_prompt_text_matches_dspys_for_tools_without_argument_sections():
    import dspy

    def lookup(term: str, exact: bool = False) -> str:
        """Look a term up in the glossary.
        Returns its definition."""
        return term

    assert str(dspex.Tool(lookup)) == str(dspy.Tool(lookup))
    assert dspex.Tool(lookup).args == dspy.Tool(lookup).args
