"""URL configuration: admin, REST under ``/api/`` and GraphQL at ``/graphql/``."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("dspex_project.api")),
    path("graphql/", include("dspex_project.graphql_urls")),
]
