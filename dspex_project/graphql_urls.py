"""GraphQL endpoint (GraphiQL served from local static files)."""

from __future__ import annotations

from django.urls import path

from dspex_project.graphql.views import DSPexGraphQLView

urlpatterns = [path("", DSPexGraphQLView.as_view(), name="graphql")]
