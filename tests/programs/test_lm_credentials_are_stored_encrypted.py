"""A user's own key is stored encrypted, shown only as a fingerprint, and sent only to its endpoint
by its owner's programs."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError

from programs.credentials import decrypt_key
from programs.gateway.lms import lm_for_program
from programs.models import LMCredential
from programs.services import lm_credential_create, lm_credential_delete, program_create, program_execute
from tests.platform_fixtures import reply
from tests.stubs.fixtures import STUB_KEY

pytestmark = pytest.mark.django_db

ADA_KEY = "sk-ada-own-key-0123456789abcdef"


@pytest.fixture
def ada_key(stub_endpoint, user):
    return lm_credential_create(owner=user, endpoint=stub_endpoint, label="mine", api_key=ADA_KEY)


def test_the_key_is_stored_encrypted_with_a_fingerprint(ada_key):
    row = LMCredential.objects.get()
    assert ADA_KEY not in row.encrypted_key
    assert decrypt_key(row.encrypted_key) == ADA_KEY
    assert row.fingerprint.startswith("sha256:") and ADA_KEY not in row.fingerprint
    assert ADA_KEY not in str(row)


def test_a_program_of_its_owner_sends_that_key_to_its_endpoint(openai_stub, ada_key, qa_signature, user):
    program = program_create(
        name="mine",
        signature=qa_signature,
        lm_config={"endpoint": "stub", "model": "m", "credential": ada_key.pk},
        owner=user,
    )
    openai_stub.script(reply(answer="Paris"))
    program_execute(program=program, inputs={"question": "q"})

    [request] = openai_stub.requests
    assert request.headers["authorization"] == f"Bearer {ADA_KEY}"
    assert STUB_KEY not in str(request.headers)


def test_another_users_credential_cannot_be_named(ada_key, other_user, qa_signature):
    with pytest.raises(ValidationError) as caught:
        program_create(
            name="theirs",
            signature=qa_signature,
            lm_config={"endpoint": "stub", "model": "m", "credential": ada_key.pk},
            owner=other_user,
        )
    assert f"you have no credential {ada_key.pk}" in caught.value.message_dict["lm_config"][0]


def test_a_credential_is_only_for_its_own_endpoint(ada_key, qa_signature, user):
    with pytest.raises(ValidationError) as caught:
        program_create(
            name="p",
            signature=qa_signature,
            lm_config={"endpoint": "openai", "model": "gpt-4o-mini", "credential": ada_key.pk},
            owner=user,
        )
    assert "is for endpoint 'stub', not 'openai'" in caught.value.message_dict["lm_config"][0]


def test_a_deleted_credential_stops_its_programs(openai_stub, ada_key, qa_signature, user):
    program = program_create(
        name="p",
        signature=qa_signature,
        lm_config={"endpoint": "stub", "model": "m", "credential": ada_key.pk},
        owner=user,
    )
    lm_credential_delete(credential=ada_key)
    with pytest.raises(ValidationError, match="no credential"):
        program_execute(program=program, inputs={"question": "q"})
    assert openai_stub.requests == []


@pytest.mark.parametrize(
    "options, field",
    [
        ({"endpoint": "nowhere"}, "endpoint"),
        ({"endpoint": "local"}, "endpoint"),  # the bundled model takes no key
        ({"label": " "}, "label"),
        ({"api_key": "sk-with space"}, "api_key"),
        ({"api_key": "sk-line\r\nX-Injected: 1"}, "api_key"),
        ({"api_key": ""}, "api_key"),
    ],
)
def test_bad_credentials_are_refused_naming_the_field(stub_endpoint, user, options, field):
    values = {"endpoint": stub_endpoint, "label": "k", "api_key": "sk-fine-0123456789", **options}
    with pytest.raises(ValidationError) as caught:
        lm_credential_create(owner=user, **values)
    assert field in caught.value.message_dict
    assert not LMCredential.objects.exists()


def test_labels_are_unique_per_owner(ada_key, user, other_user):
    with pytest.raises(ValidationError, match="already have a credential labelled 'mine'"):
        lm_credential_create(owner=user, endpoint="stub", label="mine", api_key="sk-another-0123456789")
    lm_credential_create(owner=other_user, endpoint="stub", label="mine", api_key="sk-another-0123456789")


def test_without_an_encryption_key_outside_debug_keys_are_not_stored(stub_endpoint, user, settings):
    settings.DSPEX_CREDENTIALS_KEY = ""
    settings.DEBUG = False
    with pytest.raises(ValidationError) as caught:
        lm_credential_create(owner=user, endpoint="stub", label="k", api_key="sk-fine-0123456789")
    assert "DSPEX_CREDENTIALS_KEY" in caught.value.message_dict["api_key"][0]


def test_in_debug_the_key_is_derived_from_secret_key(stub_endpoint, user, settings):
    settings.DSPEX_CREDENTIALS_KEY = ""
    settings.DEBUG = True
    row = lm_credential_create(owner=user, endpoint="stub", label="k", api_key="sk-fine-0123456789")
    assert decrypt_key(row.encrypted_key) == "sk-fine-0123456789"


def test_a_new_encryption_key_first_still_reads_the_old_tokens(ada_key, settings, qa_signature, user):
    settings.DSPEX_CREDENTIALS_KEY = f"{Fernet.generate_key().decode()},{settings.DSPEX_CREDENTIALS_KEY}"
    program = program_create(
        name="p",
        signature=qa_signature,
        lm_config={"endpoint": "stub", "model": "m", "credential": ada_key.pk},
        owner=user,
    )
    assert lm_for_program(program)._api_key() == ADA_KEY


def test_a_lost_encryption_key_is_a_clear_error(ada_key, settings, qa_signature, user):
    program = program_create(
        name="p",
        signature=qa_signature,
        lm_config={"endpoint": "stub", "model": "m", "credential": ada_key.pk},
        owner=user,
    )
    settings.DSPEX_CREDENTIALS_KEY = Fernet.generate_key().decode()
    with pytest.raises(ValidationError, match="cannot be decrypted"):
        lm_for_program(program)
