"""The Celery app reads Django settings and finds the apps' tasks."""

from __future__ import annotations

from dspex_project import celery_app


def test_workers_ack_late_reject_on_loss_and_prefetch_one_task():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"


def test_it_discovers_the_execution_task():
    celery_app.loader.import_default_modules()
    assert "actions.run_action" in celery_app.tasks
    assert "programs.tasks.run_execution" in celery_app.tasks  # messages queued by earlier releases
