"""Image, File and Audio values: how they are built (never from the disk or the network unless
asked), how they show, and the content parts they format into."""

import base64

import pydantic
import pytest

from dspex.types import Audio, File, Image
from dspex.types.base import CUSTOM_TYPE_END, CUSTOM_TYPE_START
from dspex.types.file import encode_file_to_dict

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


def test_an_image_url_formats_as_an_image_url_part():
    image = Image("https://example.com/cat.png")

    assert image.format() == [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    assert repr(image) == "Image(url='https://example.com/cat.png')"


def test_image_bytes_become_a_data_uri_of_their_format():
    image = Image(PNG)

    assert image.url == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert repr(image).startswith("Image(url=data:image/png;base64,<IMAGE_BASE_64_ENCODED(")


def test_an_image_is_built_from_a_url_dict_or_another_image():
    assert Image({"url": "gs://bucket/a.jpg"}).url == "gs://bucket/a.jpg"
    assert Image(url="data:image/gif;base64,R0lG").url == "data:image/gif;base64,R0lG"
    assert Image(Image("https://example.com/a.png")).url == "https://example.com/a.png"


def test_a_local_path_is_not_read_by_the_constructor(tmp_path):
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)

    with pytest.raises(ValueError, match=r"Image\.from_path"):
        Image(str(path))
    assert Image.from_path(str(path)).url.startswith("data:image/png;base64,")


def test_bytes_that_are_not_an_image_are_refused():
    with pytest.raises(ValueError, match="could not be identified as an image"):
        Image(b"plain text")


def test_a_file_formats_as_a_file_part_with_what_it_has():
    file = File.from_bytes(b"hello", filename="a.txt", mime_type="text/plain")

    assert file.format() == [
        {"type": "file", "file": {"file_data": "data:text/plain;base64,aGVsbG8=", "filename": "a.txt"}}
    ]
    assert File.from_file_id("file-1").format() == [{"type": "file", "file": {"file_id": "file-1"}}]


def test_a_file_from_a_path_takes_its_name_and_type(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hi")

    file = File.from_path(str(path))

    assert file.filename == "notes.txt"
    assert file.file_data == "data:text/plain;base64,aGk="
    with pytest.raises(ValueError, match="File not found"):
        File.from_path(str(tmp_path / "missing.txt"))


def test_a_file_is_frozen_and_shows_its_size_not_its_data():
    file = File(b"12345", filename="n.bin")

    assert repr(file) == "File(file_data=<DATA_URI(application/octet-stream, 8 chars)>, filename='n.bin')"
    with pytest.raises(pydantic.ValidationError):
        file.filename = "other"  # type: ignore[misc]


def test_a_file_refuses_a_source_given_twice_and_a_dict_without_its_keys():
    with pytest.raises(TypeError, match="file_data"):
        File(b"x", file_data="data:text/plain;base64,eA==")
    with pytest.raises(ValueError, match="at least one of"):
        File(invalid="dict")
    with pytest.raises(ValueError, match=r"File\.from_path"):
        encode_file_to_dict("/etc/hosts")


def test_audio_from_a_data_uri_keeps_its_format():
    audio = Audio("data:audio/x-wav;base64,UklGRg==")

    assert (audio.data, audio.audio_format) == ("UklGRg==", "wav")
    assert audio.format() == [{"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]


def test_audio_bytes_take_the_given_format_once():
    assert Audio(b"ID3", audio_format="mp3").audio_format == "mp3"
    with pytest.raises(TypeError, match="already carries its format"):
        Audio("data:audio/wav;base64,UklGRg==", audio_format="mp3")


def test_the_text_of_a_media_value_is_its_parts_between_markers():
    text = str(Image("https://example.com/cat.png"))

    assert text.startswith(CUSTOM_TYPE_START) and text.endswith(CUSTOM_TYPE_END)
    assert '"image_url": {"url": "https://example.com/cat.png"}' in text
