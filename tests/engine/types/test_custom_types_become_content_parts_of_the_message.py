"""A custom type's parts go into the user message where its field's value is; a ``Type``
subclass of one's own works the same way, and its description reaches the system message."""

from typing import Any

import dspex
from dspex.types import Image, Type
from dspex.types.base import custom_types_in, expand_custom_type_markers


class Sticker(Type):
    """A provider part of our own."""

    name: str

    def format(self) -> list[dict[str, Any]]:
        return [{"type": "sticker", "sticker": {"name": self.name}}]

    @classmethod
    def description(cls) -> str:
        return "A sticker, sent as its own part."


class Describe(dspex.Signature):
    """Describe."""

    picture: Image = dspex.InputField()
    note: str = dspex.InputField()
    answer: str = dspex.OutputField()


def test_the_user_message_is_split_around_the_image():
    messages = dspex.ChatAdapter().format(
        Describe, [], {"picture": Image("https://x.test/a.png"), "note": "hi"}
    )

    assert messages[-1]["content"] == [
        {"type": "text", "text": "[[ ## picture ## ]]\n"},
        {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
        {
            "type": "text",
            "text": "\n\n[[ ## note ## ]]\nhi\n\nRespond with the corresponding output fields, "
            "starting with the field `[[ ## answer ## ]]`, and then ending with the marker for "
            "`[[ ## completed ## ]]`.",
        },
    ]


def test_each_image_of_a_list_is_a_part_of_its_own():
    signature = dspex.Signature("pictures: list[Image] -> answer", custom_types={"Image": Image})
    images = [Image("https://x.test/a.png"), Image("https://x.test/b.png")]

    content = dspex.ChatAdapter().format(signature, [], {"pictures": images})[-1]["content"]

    assert [part["image_url"]["url"] for part in content if part["type"] == "image_url"] == [
        "https://x.test/a.png",
        "https://x.test/b.png",
    ]


def test_a_type_of_ones_own_formats_its_parts_and_describes_itself():
    signature = dspex.Signature("sticker: Sticker -> answer", custom_types={"Sticker": Sticker})

    system, user = dspex.JSONAdapter().format(signature, [], {"sticker": Sticker(name="cat")})

    assert "Type description of Sticker: A sticker, sent as its own part." in system["content"]
    assert {"type": "sticker", "sticker": {"name": "cat"}} in user["content"]


def test_messages_without_markers_and_other_roles_are_left_alone():
    marked = str(Image("https://x.test/a.png"))

    assert expand_custom_type_markers({"role": "assistant", "content": marked})["content"] == marked
    assert expand_custom_type_markers({"role": "user", "content": "plain"})["content"] == "plain"


def test_custom_types_are_found_inside_nested_annotations():
    assert custom_types_in(dict[str, list[Image | None]]) == [Image]
    assert Type.extract_custom_type_from_annotation(list[Sticker]) == [Sticker]
    assert custom_types_in(list[int]) == []
