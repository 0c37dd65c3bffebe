"""Saving and loading stay JSON: DSPy's pickle options are accepted and refused clearly."""

from __future__ import annotations

import json
import logging

import pytest

import dspex
from dspex.primitives.saving import load


def test_save_program_true_is_refused_with_the_json_way_to_do_it(tmp_path):
    with pytest.raises(ValueError, match=r"save_program=True would pickle.*program\.save\('program\.json'\)"):
        dspex.Predict("q -> a").save(tmp_path, save_program=True)

    assert list(tmp_path.iterdir()) == []


def test_a_pkl_path_is_refused_for_saving_and_for_loading(tmp_path):
    with pytest.raises(ValueError, match="never writes pickle"):
        dspex.Predict("q -> a").save(tmp_path / "p.pkl")

    (tmp_path / "p.pkl").write_bytes(b"\x80\x04K\x01.")
    for allow_pickle in (False, True):
        with pytest.raises(ValueError, match=r"Loading \.pkl files can run arbitrary code"):
            dspex.Predict("q -> a").load(tmp_path / "p.pkl", allow_pickle=allow_pickle)


def test_loading_a_json_file_accepts_allow_pickle(tmp_path):
    source = dspex.Predict("q -> a").load_state(
        {"demos": [{"q": "1", "a": "2"}], "signature": {"instructions": "Hi.", "fields": []}}
    )
    source.save(tmp_path / "p.json")

    loaded = dspex.Predict("q -> a").load(tmp_path / "p.json", allow_pickle=True)

    assert loaded.dump_state() == source.dump_state()
    assert loaded.demos[0] == {"q": "1", "a": "2"}


def test_a_version_mismatch_in_a_saved_file_is_a_warning_per_dependency(tmp_path, caplog):
    path = tmp_path / "p.json"
    dspex.Predict("q -> a").save(path)
    state = json.loads(path.read_text())
    state["metadata"]["dependency_versions"] = {"python": "2.7", "some_library": "1.0"}
    path.write_text(json.dumps(state))

    with caplog.at_level(logging.WARNING):
        dspex.Predict("q -> a").load(path)

    mismatches = [r.getMessage() for r in caplog.records if "There is a mismatch of" in r.getMessage()]
    assert len(mismatches) == 1 and "python" in mismatches[0] and "2.7" in mismatches[0]


def test_load_state_changes_nothing_when_one_predictor_fails(tmp_path):
    class Two(dspex.Module):
        def __init__(self) -> None:
            self.a = dspex.Predict("q -> a")
            self.b = dspex.Predict("q -> a")

    state = Two().dump_state()
    state["a"]["demos"] = [{"q": "1", "a": "2"}]
    state["b"]["signature"] = {"instructions": "x", "fields": "not a list"}
    program = Two()

    with pytest.raises(Exception):  # noqa: B017 - whatever the malformed entry raises
        program.load_state(state)

    assert program.a.demos == [] and program.b.demos == []


def test_loading_a_whole_program_is_refused_naming_the_pickle_it_found(tmp_path):
    (tmp_path / "metadata.json").write_text(json.dumps({"dependency_versions": {}}))
    (tmp_path / "program.pkl").write_bytes(b"\x80\x04K\x01.")

    with pytest.raises(
        ValueError, match=r"Loading with pickle is not allowed.*program\.pkl is a pickled program"
    ):
        load(tmp_path, allow_pickle=True)


def test_a_dropped_lm_endpoint_of_a_loaded_state_is_logged(caplog):
    state = dspex.Predict("q -> a").dump_state()
    state["lm"] = {"model": "openai/gpt-4o-mini", "base_url": "http://elsewhere.invalid/v1"}

    with caplog.at_level(logging.WARNING, logger="dspex.modules.predict"):
        loaded = dspex.Predict("q -> a").load_state(state)

    assert loaded.lm is not None and loaded.lm.base_url is None
    assert "['base_url']" in caplog.text and "allow_unsafe_lm_state=True" in caplog.text
