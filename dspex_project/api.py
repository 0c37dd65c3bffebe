"""REST routes: one DRF router over the apps' ``api`` packages, OpenAPI schema and docs."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
