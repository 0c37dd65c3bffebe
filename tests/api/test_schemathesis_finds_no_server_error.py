"""Schemathesis sends generated requests to every operation of the OpenAPI schema: none is a 5xx.

The requests go through Django's WSGI app in-process, authenticated with a user's token, over
objects that user owns (a signature, a program on the stub LM, a dataset with a version, an
execution, an experiment with a trial, an evaluation with a result). Path parameters mostly name
those objects (so the operations do real work) and otherwise keep the generated value (so bad and
missing ids are tried too). The run is seeded: the same requests every time.

The only 5xx an operation may answer is the documented 502 of an execution whose LM call failed
(a program created by the run names an LM that does not exist here); any other is a failure.
Connections may go to loopback only (the stub LM): anything else fails the test.
"""

from __future__ import annotations

import socket
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error

from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but 127.0.0.0/8 and ::1 (a generated LM config could name
    any host): the refusal fails the LM call, and the test, loudly."""
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and not (
            str(host).startswith("127.") or host in ("::1", "localhost")
        ):
            raise AssertionError(f"the API tried to connect to {host!r}: only loopback is allowed")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Django closes "old" connections around each request; inside the test's transaction that
    would close it. The test client disconnects the same signals."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def disposable(user: Any, qa_signature: Any, stub_lm_config: dict[str, Any]) -> Any:
    """``disposable(kind)``: the id of a new signature, program or dataset of ``user``'s, for
    requests that change or delete the object they name (the seeded ones must stay as they are)."""
    from datasets.services import dataset_create
    from programs.services import program_create, signature_create

    counter = iter(range(1_000_000))

    def make(kind: str) -> int | None:
        name = f"disposable-{next(counter)}"
        if kind == "signatures":
            return signature_create(name=name, spec="question -> answer", owner=user).pk
        if kind == "programs":
            return program_create(name=name, signature=qa_signature, lm_config=stub_lm_config, owner=user).pk
        if kind == "datasets":
            return dataset_create(name=name, signature=qa_signature, owner=user).pk
        return None

    return make


@pytest.fixture
def seeded(
    user: Any, qa_program: Any, capitals_version: Any, openai_stub: Any, settings: Any
) -> dict[str, Any]:
    """One object of every kind, owned by ``user``; ``{path parameter: value}`` by resource."""
    from evaluations.models import EvaluationResult
    from evaluations.services import evaluation_create
    from experiments.models import Trial
    from experiments.services import experiment_create
    from programs.models import Execution

    # A program created by the run without an LM config must not start the local model.
    settings.DSPEX_DEFAULT_LM = qa_program.lm_config["model"]
    openai_stub.responder = lambda request: reply(answer="Paris")
    # Throttled requests would end most examples of execute/optimize at a 429.
    rates = {scope: "100000/min" for scope in ("execute", "optimize", "auth_token")}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    version = qa_program.current_version
    execution = Execution.objects.create(
        program_version=version,
        inputs={"question": "q"},
        outputs={"answer": "a"},
        status=Execution.Status.SUCCEEDED,
        created_by=user,
    )
    experiment = experiment_create(
        program_version=version, dataset_version=capitals_version, optimizer="BootstrapFewShot", owner=user
    )
    trial = Trial.objects.create(experiment=experiment, candidate="c0", score=0.5)
    evaluation = evaluation_create(program_version=version, dataset_version=capitals_version, owner=user)
    result = EvaluationResult.objects.create(
        evaluation=evaluation,
        example=capitals_version.examples.first(),
        prediction={"answer": "x"},
        score=0.0,
    )
    return {
        "signatures": {"id": qa_program.signature_id},
        "programs": {"id": qa_program.pk, "program_pk": qa_program.pk, "number": version.number},
        "executions": {"id": execution.pk},
        "datasets": {
            "id": capitals_version.dataset_id,
            "dataset_pk": capitals_version.dataset_id,
            "number": capitals_version.number,
            "version_number": capitals_version.number,
            "position": 0,
        },
        "experiments": {"id": experiment.pk, "experiment_pk": experiment.pk, "trials": trial.pk},
        "evaluations": {"id": evaluation.pk, "evaluation_pk": evaluation.pk, "results": result.pk},
    }


@pytest.fixture
def api_schema(db: Any, in_test_transaction: None, loopback_only: None) -> Any:
    from dspex_project.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def token(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=user).key


def use_seeded_ids(case: Any, seeded: dict[str, Any], disposable: Any) -> None:
    """Point path parameters and body ids at the seeded objects (at a disposable one for a request that
    changes or deletes the object itself), except in one case out of four (chosen from the
    generated values, so the choice is the same on every run)."""
    generated = repr((sorted((case.path_parameters or {}).items()), case.query, case.body))
    if zlib.crc32(generated.encode()) % 4 == 0:
        return
    parts = [part for part in case.path.split("/") if part]
    objects: dict[str, Any] = seeded.get(parts[1], {}) if len(parts) > 1 else {}
    if case.method.upper() in ("PUT", "PATCH", "DELETE") and parts[2:] == ["{id}"]:
        objects = {"id": disposable(parts[1])}
    if isinstance(case.body, dict):  # ids in bodies (what to evaluate, which signature) too
        for name, kind in (("program", "programs"), ("dataset", "datasets"), ("signature", "signatures")):
            if isinstance(case.body.get(name), int):
                case.body[name] = seeded[kind]["id"]
    for name in case.path_parameters or {}:
        # A child's own id (a trial, a result) is named after its collection in the path.
        child = parts[parts.index("{id}") - 1] if name == "id" and "{id}" in parts else None
        value = objects.get(child) if child in objects else objects.get(name)
        if value is not None:
            case.path_parameters[name] = value


def lm_failure(response: Any) -> bool:
    """The documented answer to an execution whose LM call failed (502, ``execution_failed``)."""
    if response.status_code != 502:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("code") == "execution_failed"


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@seed(20240607)  # the same requests on every run, whatever the test's source
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_a_server_error(
    case: Any, seeded: dict[str, Any], disposable: Any, token: str
) -> None:
    use_seeded_ids(case, seeded, disposable)
    response = case.call(headers={"Authorization": f"Token {token}"})
    if lm_failure(response):
        return
    case.validate_response(response, checks=[not_a_server_error])
