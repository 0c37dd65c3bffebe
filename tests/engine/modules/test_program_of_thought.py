"""ProgramOfThought: off by default; generated code runs sandboxed, errors go back to the LM."""

from __future__ import annotations

import pytest

import dspex
from tests.engine.modules.replies import chat, user_message

pytestmark = pytest.mark.timeout(60)


def code(text):
    return chat(reasoning="Compute it.", generated_code=f"```python\n{text}\n```")


def test_it_is_off_by_default_and_says_how_to_enable_it(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm)
    pot = dspex.ProgramOfThought("question -> answer: int")
    with pytest.raises(dspex.ProgramOfThoughtDisabledError, match=r"allow_program_of_thought=True"):
        pot(question="1+1?")
    assert openai_stub.completion_requests() == []


def test_generated_code_runs_and_its_output_reaches_the_answer_step(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, allow_program_of_thought=True)
    openai_stub.script(
        code("total = sum(range(1, 101))\nSUBMIT({'answer': total})"),
        chat(reasoning="The program says 5050.", answer="5050"),
    )
    with dspex.track_steps() as steps:
        pred = dspex.ProgramOfThought("question -> answer: int")(question="Sum of 1..100?")

    assert pred.answer == 5050
    final = user_message(openai_stub.completion_requests()[1])
    assert "[[ ## final_generated_code ## ]]\ntotal = sum(range(1, 101))" in final
    assert '[[ ## code_output ## ]]\n{"answer": 5050}' in final
    assert [(s.kind, s.data["error"], s.data["output"]) for s in steps] == [
        ("program_of_thought.run", None, {"answer": 5050})
    ]


def test_a_failing_program_is_sent_back_with_its_error_and_regenerated(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, allow_program_of_thought=True)
    openai_stub.script(
        code("values = [1, 2, 3]\nvalues[10]"),
        code("values = [1, 2, 3]\nanswer = values[-1]"),
        chat(reasoning="r", answer="3"),
    )
    pred = dspex.ProgramOfThought("question -> answer: int")(question="Last value?")

    assert pred.answer == 3
    regenerate = user_message(openai_stub.completion_requests()[1])
    assert "[[ ## previous_code ## ]]\nvalues = [1, 2, 3]\nvalues[10]" in regenerate
    assert "IndexError: list index out of range" in regenerate
    assert "[[ ## code_output ## ]]\n3" in user_message(openai_stub.completion_requests()[2])


def test_an_escape_attempt_is_an_error_the_lm_sees(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, allow_program_of_thought=True)
    openai_stub.script(
        code(f"import urllib.request\nurllib.request.urlopen('{openai_stub.url}/v1/models').read()"),
        code("2 + 2"),
        chat(reasoning="r", answer="4"),
    )
    assert dspex.ProgramOfThought("question -> answer: int")(question="q").answer == 4
    regenerate = user_message(openai_stub.completion_requests()[1])
    assert "sandbox: importing 'urllib.request' is not allowed" in regenerate
    assert len(openai_stub.requests) == 3  # no request from the sandbox reached the stub


def test_it_raises_a_clear_error_when_every_program_fails(openai_stub, stub_lm):
    dspex.configure(lm=stub_lm, allow_program_of_thought=True)
    openai_stub.script(code("1 / 0"), chat(reasoning="r", generated_code=""))
    pot = dspex.ProgramOfThought("question -> answer", max_iters=2)

    with pytest.raises(dspex.ProgramOfThoughtError, match=r"none of the 2 generated program") as info:
        pot(question="q")

    assert [a["error"].splitlines()[-1] for a in info.value.attempts] == [
        "ZeroDivisionError: division by zero",
        "Error: Empty code after parsing.",
    ]
    assert len(openai_stub.completion_requests()) == 2


async def test_it_runs_asynchronously(openai_stub, stub_lm):
    openai_stub.script(code("print(6 * 7)"), chat(reasoning="r", answer="42"))
    with dspex.context(lm=stub_lm, allow_program_of_thought=True):
        pred = await dspex.ProgramOfThought("question -> answer: int").acall(question="6*7?")
    assert pred.answer == 42
    assert '[[ ## code_output ## ]]\n"42\\n"' in user_message(openai_stub.completion_requests()[1])


def test_its_predictors_have_dspys_paths():
    pot = dspex.ProgramOfThought("question -> answer")
    assert [name for name, _ in pot.named_predictors()] == [
        "code_generate.predict",
        "code_regenerate.predict",
        "generate_output.predict",
    ]


@pytest.mark.parametrize(
    ("generated", "expected"),
    [
        ("```python\nx = 1\n```", "x = 1\nx"),
        ("```\nprint(1)\n```\nSome trailing words.", "print(1)"),
        ("y = 2 ** 8", "y = 2 ** 8\ny"),
        ("if True:\n    z = 1", "if True:\n    z = 1"),
        ("a == 1", "a == 1"),
    ],
)
def test_code_is_taken_out_of_fences_and_a_final_assignment_is_shown(generated, expected):
    from dspex.modules.program_of_thought import parse_code

    assert parse_code(generated) == (expected, None)
