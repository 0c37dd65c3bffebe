"""The Celery app: ``celery -A dspex_project worker``.

Configuration comes from Django settings (``CELERY_*``). Tasks are thin: they take row ids and
call services; their status and results live on our own rows, not in Celery's result backend.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspex_project.settings")

app = Celery("dspex_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["dspex_project"])  # dspex_project.tasks: the project is not an app
