"""Admin forms that take JSON (a signature's field list, a program's configs, "Try it" inputs,
optimizer parameters) show JSON nested too deep and text with a NUL character or an unpaired
surrogate as an error under the field: never a 500, nothing saved or run."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from programs.models import Execution, Program, Signature
from programs.services import program_create, signature_create

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000
DEEP_MESSAGE = "JSON nested deeper than 64 levels"
BAD_JSON = {  # a bad field list, a bad config object, what the form says
    "deep": (DEEP, DEEP, DEEP_MESSAGE),
    "nul": ('[{"name": "q\\u0000", "kind": "input"}]', '{"x": "a\\u0000"}', "contains a NUL character"),
    "surrogate": (
        '[{"name": "q\\ud800", "kind": "input"}]',
        '{"x": "\\udfff"}',
        "contains an unpaired surrogate",
    ),
}


@pytest.mark.parametrize("bad", list(BAD_JSON))
def test_a_signature_field_list_is_checked(admin_client: Any, user: Any, bad: str) -> None:
    text, _, message = BAD_JSON[bad]
    response = admin_client.post(
        reverse("admin:programs_signature_add"),
        {"name": "s", "fields": text, "spec": "", "instructions": "", "owner": user.pk},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize("bad", list(BAD_JSON))
def test_a_program_config_is_checked(
    admin_client: Any, qa_program: Any, stub_lm_config: dict[str, Any], bad: str
) -> None:
    _, text, message = BAD_JSON[bad]
    url = reverse("admin:programs_program_change", args=[qa_program.pk])
    response = admin_client.post(
        url,
        {
            "name": "qa",
            "description": "",
            "signature": qa_program.signature_id,
            "module_type": qa_program.module_type,
            "module_config": text,
            "backend": qa_program.backend,
            "lm_config": "{}",
            "owner": qa_program.owner_id,
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Program.objects.get().module_config == qa_program.module_config


@pytest.mark.parametrize(
    ("value", "message"),
    [(DEEP, DEEP_MESSAGE), ('["a\\u0000b"]', "contains a NUL character")],
    ids=["deep", "nul"],
)
def test_a_try_it_input_is_checked_and_nothing_runs(
    admin_client: Any, user: Any, stub_lm_config: dict[str, Any], value: str, message: str
) -> None:
    signature = signature_create(name="ctx", spec="context: list[str], question -> answer", owner=user)
    program = program_create(name="ctx", signature=signature, lm_config=stub_lm_config, owner=user)
    response = admin_client.post(
        reverse("admin:programs_program_try", args=[program.pk]), {"context": value, "question": "q"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Execution.objects.exists()
