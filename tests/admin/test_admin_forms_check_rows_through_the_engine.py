"""The admin's signature and program forms run the same engine checks as the services (the models
only hold data): a malformed spec or an unknown tool is an error on its field, nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from programs.models import Program, Signature

pytestmark = pytest.mark.django_db


def test_a_malformed_spec_is_shown_on_the_field(admin_client: Any, user: Any) -> None:
    response = admin_client.post(
        reverse("admin:programs_signature_add"),
        {"name": "bad", "fields": "[]", "spec": "a: list[int -> b", "instructions": "", "owner": user.pk},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "unbalanced" in page and "position 7" in page
    assert not Signature.objects.exists()


def test_an_unknown_tool_is_shown_on_the_module_config(admin_client: Any, qa_program: Any) -> None:
    response = admin_client.post(
        reverse("admin:programs_program_change", args=[qa_program.pk]),
        {
            "name": "qa",
            "description": "",
            "signature": qa_program.signature_id,
            "module_type": "react",
            "module_config": '{"tools": ["rm_rf"]}',
            "backend": qa_program.backend,
            "lm_config": "{}",
            "owner": qa_program.owner_id,
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "unknown tool &#x27;rm_rf&#x27;" in response.content.decode()
    assert Program.objects.get().module_type == qa_program.module_type
