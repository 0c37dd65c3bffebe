"""The program page's "Try it" form runs the program and shows its outputs and LM trace."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from programs.models import Execution
from programs.services import program_create, signature_create
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def _url(program):
    return reverse("admin:programs_program_try", args=[program.pk])


@pytest.fixture
def math_program(user, stub_lm_config):
    signature = signature_create(
        name="math", spec="question, hints: list[str], level: int -> answer: int", owner=user
    )
    return program_create(name="math", signature=signature, lm_config=stub_lm_config, owner=user)


def test_the_program_page_links_to_try_it(admin_client, qa_program):
    response = admin_client.get(reverse("admin:programs_program_change", args=[qa_program.pk]))
    assert _url(qa_program) in response.content.decode()


def test_the_program_list_links_to_try_it(admin_client, qa_program):
    response = admin_client.get(reverse("admin:programs_program_changelist"))
    assert _url(qa_program) in response.content.decode()


def test_the_form_has_one_input_per_signature_input_field(admin_client, math_program):
    response = admin_client.get(_url(math_program))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == ["question", "hints", "level"]
    html = response.content.decode()
    assert 'name="question"' in html and 'name="hints"' in html and 'name="level"' in html
    assert "list[str], as JSON" in html
    assert "answer" not in form.fields


def test_running_it_shows_the_outputs_and_the_lm_trace(admin_client, openai_stub, qa_program, admin_user):
    openai_stub.script(reply(answer="Paris"))
    response = admin_client.post(_url(qa_program), {"question": "Capital of France?"})
    assert response.status_code == 200
    html = response.content.decode()
    execution = Execution.objects.get()
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.created_by == admin_user
    assert response.context["outputs"] == [("answer", "Paris")]
    assert 'data-field="answer">Paris</pre>' in html
    # The trace: the messages sent, the raw response, usage, latency and cache hit.
    assert "LM trace (1 call)" in html
    assert "Capital of France?" in html and "[[ ## answer ## ]]" in html
    call = response.context["traces"][0]
    assert call["model"] == "openai/stub-model"
    assert call["cache_hit"] is False
    assert call["prompt_tokens"] > 0 and call["latency_ms"] is not None
    assert [m["role"] for m in call["messages"]] == ["system", "user"]
    assert "Paris" in call["responses"][0]
    assert "cache hit: no" in html
    assert reverse("admin:programs_execution_change", args=[execution.pk]) in html


def test_json_typed_inputs_are_decoded(admin_client, openai_stub, math_program):
    openai_stub.script(reply(answer="4"))
    response = admin_client.post(
        _url(math_program), {"question": "2+2?", "hints": '["add them"]', "level": "3"}
    )
    assert response.status_code == 200
    execution = Execution.objects.get()
    assert execution.inputs == {"question": "2+2?", "hints": ["add them"], "level": 3}
    assert response.context["outputs"] == [("answer", "4")]


def test_a_mistyped_input_is_shown_under_its_field_and_nothing_runs(admin_client, openai_stub, math_program):
    response = admin_client.post(_url(math_program), {"question": "2+2?", "hints": "[]", "level": "hard"})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["level"]
    assert "expects int" in form.errors["level"][0]
    assert "Please correct the error below." in response.content.decode()
    assert not Execution.objects.exists()
    assert openai_stub.completion_requests() == []


def test_a_missing_input_is_a_field_error(admin_client, openai_stub, qa_program):
    response = admin_client.post(_url(qa_program), {"question": ""})
    assert response.status_code == 200
    assert "question" in response.context["form"].errors
    assert not Execution.objects.exists()


def test_a_failed_run_shows_its_error_and_its_trace(admin_client, openai_stub, qa_program):
    openai_stub.script("no fields here at all", "still nothing")
    response = admin_client.post(_url(qa_program), {"question": "Capital of France?"})
    assert response.status_code == 200
    html = response.content.decode()
    execution = Execution.objects.get()
    assert execution.status == Execution.Status.FAILED
    assert 'id="try-it-error"' in html
    assert "Could not parse the LM response" in html
    assert len(response.context["traces"]) >= 1


def test_an_lm_error_is_shown_not_raised(admin_client, openai_stub, qa_program):
    openai_stub.script({"status": 400})
    response = admin_client.post(_url(qa_program), {"question": "q"})
    assert response.status_code == 200
    assert "BadRequestError" in response.content.decode()


def test_a_program_with_a_broken_lm_config_shows_the_problem(admin_client, qa_program):
    from programs.models import Program

    Program.objects.filter(pk=qa_program.pk).update(lm_config={"model": "nope-no-provider"})
    response = admin_client.post(_url(qa_program), {"question": "q"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "lm_config" in response.context["form"].non_field_errors()[0]
    assert not Execution.objects.exists()


def test_a_staff_user_who_may_only_view_cannot_run(client, django_user_model, openai_stub, qa_program):
    viewer = django_user_model.objects.create_user(username="viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_program"))
    client.force_login(viewer)
    page = client.get(_url(qa_program))
    assert page.status_code == 200
    assert 'id="try-it-run"' not in page.content.decode()
    assert client.post(_url(qa_program), {"question": "q"}).status_code == 403
    assert not Execution.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client, qa_program):
    response = client.get(_url(qa_program))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_an_unknown_program_redirects_with_a_message(admin_client):
    response = admin_client.get(reverse("admin:programs_program_try", args=[987654]))
    assert response.status_code == 302


def test_running_it_in_the_background_queues_an_execution_and_opens_its_row(
    admin_client, openai_stub, qa_program, django_capture_on_commit_callbacks
):
    openai_stub.script(reply(answer="Paris"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(_url(qa_program), {"question": "Capital of France?", "_run_async": "1"})
    assert len(callbacks) == 1  # the task is enqueued only once the transaction commits
    execution = Execution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:programs_execution_change", args=[execution.pk])
    # Tests run Celery eagerly: the task ran when the transaction committed.
    execution.refresh_from_db()
    assert execution.status == Execution.Status.SUCCEEDED
    assert execution.outputs == {"answer": "Paris"}
