"""Admin pages of the programs app render; versions and executions are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Program
from programs.services import program_execute
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

MODELS = ["signature", "program", "programversion", "execution", "lmcalltrace"]


@pytest.fixture
def executed(openai_stub, qa_program):
    openai_stub.script(reply(answer="Paris"))
    return program_execute(program=qa_program, inputs={"question": "Capital of France?"})


@pytest.mark.parametrize("model", MODELS)
def test_the_changelist_renders_with_rows(admin_client, executed, model):
    response = admin_client.get(reverse(f"admin:programs_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_the_changelist_search_works(admin_client, executed, model):
    response = admin_client.get(reverse(f"admin:programs_{model}_changelist"), {"q": "qa"})
    assert response.status_code == 200


def test_a_program_page_lists_its_versions(admin_client, qa_program):
    response = admin_client.get(reverse("admin:programs_program_change", args=[qa_program.pk]))
    assert response.status_code == 200
    assert "Initial version" in response.content.decode()


def test_an_execution_page_shows_its_lm_trace(admin_client, executed):
    response = admin_client.get(reverse("admin:programs_execution_change", args=[executed.pk]))
    assert response.status_code == 200
    assert "[[ ## answer ## ]]" in response.content.decode()


def test_versions_cannot_be_added_or_edited_in_the_admin(admin_client, qa_program):
    version = qa_program.current_version
    assert admin_client.get(reverse("admin:programs_programversion_add")).status_code == 403
    page = admin_client.get(reverse("admin:programs_programversion_change", args=[version.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(
        reverse("admin:programs_programversion_change", args=[version.pk]), {"note": "edited"}
    )
    assert response.status_code == 403


def test_adding_a_program_in_the_admin_creates_version_1(admin_client, qa_signature, admin_user):
    response = admin_client.post(
        reverse("admin:programs_program_add"),
        {
            "name": "from-admin",
            "description": "",
            "signature": qa_signature.pk,
            "module_type": "predict",
            "module_config": "{}",
            "backend": "auto",
            "lm_config": '{"model": "openai/gpt-4o-mini", "api_key_env": "OPENAI_API_KEY"}',
            "owner": "",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    program = Program.objects.get(name="from-admin")
    assert program.current_version.number == 1
    assert program.owner == admin_user


def test_the_admin_form_refuses_a_key_in_the_lm_config(admin_client, qa_signature):
    response = admin_client.post(
        reverse("admin:programs_program_add"),
        {
            "name": "leaky",
            "signature": qa_signature.pk,
            "module_type": "predict",
            "module_config": "{}",
            "backend": "auto",
            "lm_config": '{"model": "openai/gpt-4o-mini", "api_key": "sk-live-1"}',
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "must not contain credentials" in response.content.decode()
    assert not Program.objects.filter(name="leaky").exists()


def test_the_admin_form_shows_a_bad_spec_with_its_position(admin_client):
    response = admin_client.post(
        reverse("admin:programs_signature_add"), {"name": "bad", "spec": "a: list[int -> b", "fields": "[]"}
    )
    assert response.status_code == 200
    assert "position 7" in response.content.decode()
