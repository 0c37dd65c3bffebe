"""The exact messages ChatAdapter and JSONAdapter build (the DSPy prompt format, spelled out)."""

from __future__ import annotations

import dspex

SYSTEM = (
    "Your input fields are:\n"
    "1. `question` (str): \n"
    "2. `n` (int): how many\n"
    "Your output fields are:\n"
    "1. `answers` (list[str]):\n"
    "All interactions will be structured in the following way, with the appropriate values filled in.\n\n"
    "[[ ## question ## ]]\n{question}\n\n"
    "[[ ## n ## ]]\n{n}\n\n"
    "[[ ## answers ## ]]\n{answers}        # note: the value you produce must adhere to the JSON schema: "
    '{"type": "array", "items": {"type": "string"}}\n\n'
    "[[ ## completed ## ]]\n"
    "In adhering to this structure, your objective is: \n"
    "        List answers.\n"
    "        One per item."
)


class Answers(dspex.Signature):
    """List answers.
    One per item."""

    question: str = dspex.InputField()
    n: int = dspex.InputField(desc="how many")
    answers: list[str] = dspex.OutputField()


def test_the_chat_format_is_system_then_user():
    messages = dspex.ChatAdapter().format(Answers, [], {"question": "Colours?", "n": 2})

    assert messages == [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": "[[ ## question ## ]]\nColours?\n\n[[ ## n ## ]]\n2\n\n"
            "Respond with the corresponding output fields, starting with the field "
            "`[[ ## answers ## ]]` (must be formatted as a valid Python list[str]), "
            "and then ending with the marker for `[[ ## completed ## ]]`.",
        },
    ]


def test_demos_become_user_and_assistant_turns():
    demos = [{"question": "Fruits?", "n": 1, "answers": ["apple"]}]

    messages = dspex.ChatAdapter().format(Answers, demos, {"question": "Colours?", "n": 2})

    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "[[ ## question ## ]]\nFruits?\n\n[[ ## n ## ]]\n1"
    assert messages[2]["content"] == '[[ ## answers ## ]]\n["apple"]\n\n[[ ## completed ## ]]\n'


def test_an_incomplete_demo_is_marked_and_its_missing_fields_explained():
    messages = dspex.ChatAdapter().format(
        Answers, [{"question": "Fruits?", "answers": []}], {"question": "Q"}
    )

    assert messages[1]["content"] == (
        "This is an example of the task, though some input or output fields are not supplied.\n\n"
        "[[ ## question ## ]]\nFruits?"
    )
    assert messages[2]["content"] == "[[ ## answers ## ]]\n[]\n\n[[ ## completed ## ]]\n"


def test_a_list_given_to_a_str_field_is_a_numbered_list():
    sig = dspex.Signature("context -> answer")

    content = dspex.ChatAdapter().format(sig, [], {"context": ["a", "b\nc", "«d»"]})[1]["content"]

    assert content.startswith(
        "[[ ## context ## ]]\n[1] «a»\n[2] «««\n    b\n    c\n»»»\n[3] «««\n    «d»\n»»»\n\n"
    )


def test_the_json_format_asks_for_a_json_object():
    messages = dspex.JSONAdapter().format(Answers, [{"question": "F?", "n": 1, "answers": ["x"]}], {"n": 2})

    assert (
        messages[0]["content"].count('{\n  "answers": "{answers}        # note: the value you produce') == 1
    )
    assert messages[2]["content"] == '{\n  "answers": [\n    "x"\n  ]\n}'
    assert messages[-1]["content"] == (
        "[[ ## n ## ]]\n2\n\nRespond with a JSON object in the following order of fields: "
        "`answers` (must be formatted as a valid Python list[str])."
    )


def test_formatting_does_not_change_the_inputs():
    inputs = {"question": "Q", "n": 2}

    dspex.ChatAdapter().format(Answers, [], inputs)

    assert inputs == {"question": "Q", "n": 2}
