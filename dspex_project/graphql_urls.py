"""GraphQL endpoint (GraphiQL served from local static files)."""

from __future__ import annotations

urlpatterns: list = []
