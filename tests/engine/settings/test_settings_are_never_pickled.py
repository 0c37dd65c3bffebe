"""DSPy's settings.save / load_settings pickle; dspex refuses both with the way to do it."""

from __future__ import annotations

import pytest

import dspex
from dspex.settings import load_settings


def test_saving_settings_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"pickle is never written or loaded.*dspex\.configure"):
        dspex.settings.save(tmp_path / "settings.pkl", exclude_keys=["adapter"])

    assert list(tmp_path.iterdir()) == []


def test_loading_settings_is_refused_even_with_allow_pickle(tmp_path):
    path = tmp_path / "settings.pkl"
    path.write_bytes(b"\x80\x04K\x01.")

    with pytest.raises(ValueError, match="does not save or load settings"):
        load_settings(path, allow_pickle=True)
