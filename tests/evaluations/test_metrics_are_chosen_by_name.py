"""Metrics are chosen by name from a registry (plus those allow-listed in ``DSPEX_METRICS``);
a bad choice is an error on ``metrics`` naming the item; nothing else is ever imported."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.runs import RunStatus
from evaluations.metrics import metric_types
from evaluations.services import evaluation_create, evaluation_run
from programs.services import program_create, signature_create
from tests.evaluations.helpers import answering
from tests.platform_fixtures import reply

pytestmark = pytest.mark.django_db


def _create(program, version, metrics):
    return evaluation_create(
        program_version=program.current_version, dataset_version=version, metrics=metrics
    )


def _errors(program, version, metrics):
    with pytest.raises(ValidationError) as caught:
        _create(program, version, metrics)
    return caught.value.message_dict["metrics"]


def test_an_unknown_name_lists_the_known_ones(qa_program, qa_dataset_version):
    [message] = _errors(qa_program, qa_dataset_version, ["exact_match", "accuracy"])
    assert message.startswith("metrics[1]: unknown metric 'accuracy' (known: exact_match, passage_match, f1")


def test_a_dotted_path_that_is_not_allow_listed_is_refused(qa_program, qa_dataset_version):
    [message] = _errors(qa_program, qa_dataset_version, ["os.system"])
    assert "unknown metric 'os.system'" in message


def test_every_bad_item_is_reported(qa_program, qa_dataset_version):
    messages = _errors(
        qa_program,
        qa_dataset_version,
        [42, {"name": "exact_match", "fracc": 0.5}, {"name": "f1", "field": "nope"}, "f1", "f1"],
    )
    assert messages[0].startswith("metrics[0]: expected a metric name or an object")
    assert messages[1].startswith("metrics[1]: exact_match does not accept these options")
    assert messages[2] == "metrics[2]: f1 cannot compare 'nope': not an output field (outputs: answer)"
    assert messages[3:] == ["metrics[3]: f1 is listed twice", "metrics[4]: f1 is listed twice"]


def test_a_metric_not_installed_here_says_so(qa_program, qa_dataset_version, monkeypatch):
    import dspex

    monkeypatch.delattr(dspex, "SemanticF1", raising=False)
    [message] = _errors(qa_program, qa_dataset_version, ["semantic_f1"])
    assert "metric semantic_f1 is not available here (cannot import dspex.SemanticF1" in message


def test_answer_metrics_compare_the_only_output_field_or_the_one_named(openai_stub, user, stub_lm_config):
    from datasets.services import dataset_create, dataset_import

    signature = signature_create(name="sentiment", spec="sentence -> label", owner=user)
    program = program_create(name="sentiment", signature=signature, lm_config=stub_lm_config, owner=user)
    dataset = dataset_create(name="sst", signature=signature, owner=user)
    version = dataset_import(
        dataset=dataset,
        file=b'{"sentence": "a gem", "label": "positive", "split": "dev"}\n'
        b'{"sentence": "a mess", "label": "negative", "split": "dev"}\n',
    )
    openai_stub.set_default(reply(label="Positive"))
    evaluation = _create(program, version, ["exact_match", {"name": "f1", "field": "label"}])
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == RunStatus.SUCCEEDED, evaluation.error
    assert evaluation.metric_scores == {"exact_match": 0.5, "f1": 0.5}


def test_several_output_fields_need_the_field_named(user, stub_lm_config, qa_dataset_version):
    signature = signature_create(name="two", spec="question -> label, reason", owner=user)
    program = program_create(name="two", signature=signature, lm_config=stub_lm_config, owner=user)
    [message] = _errors(program, qa_dataset_version, ["exact_match"])
    assert 'say which, e.g. {"name": "exact_match", "field": "label"} (outputs: label, reason)' in message


def test_options_reach_the_metric(openai_stub, qa_program, make_questions, user):
    version = make_questions(user, 2)
    openai_stub.set_default(reply(answer="a0 indeed"))
    evaluation = _create(qa_program, version, [{"name": "exact_match", "frac": 0.5}])
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.metric_scores == {"exact_match": 0.5}  # "a0 indeed" vs "a0": token F1 0.67


def test_allow_listed_functions_and_classes_run(openai_stub, qa_program, make_questions, user, settings):
    settings.DSPEX_METRICS = {
        "contains": "tests.evaluations.custom_metrics.contains",
        "short": "tests.evaluations.custom_metrics.ShortEnough",
    }
    version = make_questions(user, 3)
    answering(openai_stub, wrong={"q2"})
    evaluation = _create(qa_program, version, ["contains", {"name": "short", "words": 0}])
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == RunStatus.SUCCEEDED, evaluation.error
    assert evaluation.metric_scores == {"contains": pytest.approx(2 / 3), "short": 0.0}
    [message] = _errors(qa_program, version, [{"name": "short", "letters": 2}])
    assert message.startswith("metrics[0]: short does not accept these options")


def test_a_list_allow_lists_dotted_paths_themselves(openai_stub, qa_program, make_questions, user, settings):
    settings.DSPEX_METRICS = ["tests.evaluations.custom_metrics.contains"]
    version = make_questions(user, 1)
    answering(openai_stub)
    evaluation = _create(qa_program, version, ["tests.evaluations.custom_metrics.contains"])
    assert evaluation_run(evaluation_id=evaluation.pk).score == 1.0


def test_an_entry_in_the_common_setting_format_is_a_metric(
    openai_stub, qa_program, make_questions, user, settings
):
    settings.DSPEX_METRICS = {
        "contains": {"path": "tests.evaluations.custom_metrics.contains", "description": "gold in answer"}
    }
    assert metric_types()["contains"].description == "gold in answer"
    version = make_questions(user, 2)
    answering(openai_stub, wrong={"q1"})
    evaluation = evaluation_run(evaluation_id=_create(qa_program, version, ["contains"]).pk)
    assert evaluation.metric_scores == {"contains": 0.5}


def test_a_metric_that_raises_fails_its_example_only(openai_stub, qa_program, make_questions, user, settings):
    settings.DSPEX_METRICS = {"strict": "tests.evaluations.custom_metrics.strict"}
    version = make_questions(user, 2)
    openai_stub.script(reply(answer="a0"), reply(answer="boom"))
    evaluation = _create(qa_program, version, ["strict"])
    evaluation = evaluation_run(evaluation_id=evaluation.pk)
    assert evaluation.status == RunStatus.SUCCEEDED
    failed = evaluation.results.get(error__startswith="metric")
    assert failed.error == "metric strict failed: ValueError: cannot score 'boom'"
    assert failed.prediction == {"answer": "boom"}  # what the program said is kept
    assert evaluation.score == 0.5
