"""WSGI entry point (``gunicorn dspex_project.wsgi``)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dspex_project.settings")

application = get_wsgi_application()
