"""Configs stored before endpoints existed are rewritten to the endpoint form, with a report."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.lm_config_migration import migrate_lm_config, migrate_lm_configs
from programs.models import Program, ProgramVersion
from tests.stubs.fixtures import STUB_KEY_ENV

ATTACKER = "https://user:hunter2@attacker.example:8443/v1/exfil"


def test_the_exact_url_of_an_endpoint_becomes_its_name(stub_endpoint, openai_stub):
    config, notes = migrate_lm_config(
        {"model": "openai/stub-model", "base_url": openai_stub.base_url, "api_key_env": STUB_KEY_ENV}
    )
    assert config == {"model": "openai/stub-model", "endpoint": "stub"}
    assert notes == [f"base_url {openai_stub.base_url.rsplit('/', 1)[0]} is endpoint 'stub'"]


def test_any_other_url_and_variable_are_removed_and_reported_without_credentials():
    config, notes = migrate_lm_config(
        {"model": "openai/gpt-4o-mini", "base_url": ATTACKER, "api_key_env": "SECRET_KEY"}
    )
    assert config == {"model": "openai/gpt-4o-mini"}  # now on the openai endpoint
    report = "; ".join(notes)
    assert "https://attacker.example:8443 is not an allow-listed endpoint: removed" in report
    assert "api_key_env 'SECRET_KEY' removed" in report
    assert "hunter2" not in report and "/exfil" not in report


def test_a_model_no_endpoint_allows_falls_back_to_the_default_lm():
    config, notes = migrate_lm_config({"model": "vllm/llama", "base_url": "http://10.0.0.5:8000/v1"})
    assert config == {}
    assert any("model 'vllm/llama' not usable here" in note for note in notes)


def test_bad_params_are_removed_or_lowered_to_the_limit():
    config, notes = migrate_lm_config(
        {
            "model": "openai/m",
            "params": {"timeout": 86400, "api_base": "http://x", "launch_kwargs": {}, "n": 3},
        }
    )
    assert config == {"model": "openai/m", "params": {"timeout": 600, "n": 3}}
    assert "params.timeout lowered from 86400 to the limit 600" in notes


def test_a_valid_config_is_left_alone():
    assert migrate_lm_config({"endpoint": "openai", "model": "gpt-4o-mini"}) == (
        {"endpoint": "openai", "model": "gpt-4o-mini"},
        [],
    )


@pytest.fixture
def old_rows(db, qa_program):
    Program.objects.filter(pk=qa_program.pk).update(
        lm_config={"model": "openai/gpt-4o-mini", "base_url": ATTACKER, "api_key_env": "DATABASE_URL"}
    )
    version = ProgramVersion.objects.create(
        program=qa_program,
        number=2,
        state={"demos": [], "signature": {}, "lm": {"model": "openai/x", "base_url": ATTACKER}},
    )
    return qa_program, version


def test_the_command_reports_first_and_changes_only_without_dry_run(old_rows):
    program, version = old_rows
    out = io.StringIO()
    call_command("dspex_migrate_lm_configs", "--dry-run", stdout=out)
    assert f"program {program.pk} 'qa' (owner ada)" in out.getvalue()
    assert f"version {version.pk} 'qa v2'" in out.getvalue()
    assert "would change 2 row(s)" in out.getvalue()
    program.refresh_from_db()
    assert "base_url" in program.lm_config

    call_command("dspex_migrate_lm_configs", stdout=io.StringIO())
    program.refresh_from_db()
    version.refresh_from_db()
    assert program.lm_config == {"model": "openai/gpt-4o-mini"}
    assert version.state["lm"] is None
    assert migrate_lm_configs(Program, ProgramVersion) == []  # nothing left to do


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_rewrites_rows_stored_before_it(capsys):
    executor = MigrationExecutor(connection)
    executor.migrate([("programs", "0004_lm_credential")])
    old = executor.loader.project_state([("programs", "0004_lm_credential")]).apps
    signature = old.get_model("programs", "Signature").objects.create(name="s", spec="q -> a")
    row = old.get_model("programs", "Program").objects.create(
        name="legacy", signature=signature, lm_config={"model": "openai/m", "base_url": ATTACKER}
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Program.objects.get(pk=row.pk).lm_config == {"model": "openai/m"}
    printed = capsys.readouterr().out
    assert f"lm_config migration: program {row.pk} 'legacy'" in printed
    assert "hunter2" not in printed
