"""URL configuration.

Hooks for the layers still to come (each lives in its own package and is added here):

- REST: ``path("api/", include("dspex_project.api"))`` with the DRF router, ``/api/schema/`` and
  ``/api/docs/`` (drf-spectacular, Swagger UI from local static files);
- GraphQL: ``path("graphql/", ...)`` serving ``dspex_project.graphql.schema``.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

urlpatterns = [
    path("admin/", admin.site.urls),
]
