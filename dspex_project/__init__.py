"""The Django project that runs DSPex programs as managed resources.

The Celery app is imported here so that ``@shared_task`` binds to it whenever Django starts.
"""

from dspex_project.celery import app as celery_app

__all__ = ["celery_app"]
