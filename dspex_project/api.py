"""REST routes under ``/api/``: the apps' viewsets, the OpenAPI schema and its Swagger UI.

Nested resources (versions, examples, trials, results) live under their parent's URL; their
viewsets resolve the parent through a selector scoped to the user, so another user's parent is a
404 like a missing one.

``/api/schema/`` and ``/api/docs/`` need no login (the API's description is no secret, and the
docs page is where one learns how to authenticate); ``/api/auth/token/`` trades a username and
password for a token, ``/api/auth/login/`` opens a session (browsable API). Everything else
answers 401 to anonymous requests.
"""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter, SimpleRouter

from actions.rest import attach_actions
from core.parsers import BoundedFormParser, BoundedMultiPartParser, SafeJSONParser
from core.permissions import SettingsScopedRateThrottle
from core.rest import ApiViewMixin
from datasets.api.views import DatasetVersionViewSet, DatasetViewSet, ExampleViewSet
from evaluations.api.views import EvaluationResultViewSet, EvaluationViewSet
from experiments.api.views import ExperimentViewSet, TrialViewSet
from programs.api.engine import EngineCapabilitiesView
from programs.api.views import (
    ExecutionViewSet,
    LMCredentialViewSet,
    ProgramVersionViewSet,
    ProgramViewSet,
    SignatureViewSet,
)

__all__ = ["router", "urlpatterns"]

# Each resource's declared actions become routes of its viewset (``actions.rest``).
for _viewset, _resource in (
    (SignatureViewSet, "programs.Signature"),
    (ProgramViewSet, "programs.Program"),
    (ExecutionViewSet, "programs.Execution"),
    (DatasetViewSet, "datasets.Dataset"),
    (ExperimentViewSet, "experiments.Experiment"),
    (EvaluationViewSet, "evaluations.Evaluation"),
):
    attach_actions(_viewset, _resource)

router = DefaultRouter()
router.register("signatures", SignatureViewSet, basename="signature")
router.register("programs", ProgramViewSet, basename="program")
router.register("executions", ExecutionViewSet, basename="execution")
router.register("credentials", LMCredentialViewSet, basename="lm-credential")
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("experiments", ExperimentViewSet, basename="experiment")
router.register("evaluations", EvaluationViewSet, basename="evaluation")

nested = SimpleRouter()
nested.register(
    r"programs/(?P<program_pk>[0-9]+)/versions", ProgramVersionViewSet, basename="program-version"
)
nested.register(
    r"datasets/(?P<dataset_pk>[0-9]+)/versions", DatasetVersionViewSet, basename="dataset-version"
)
nested.register(
    r"datasets/(?P<dataset_pk>[0-9]+)/versions/(?P<version_number>[0-9]+)/examples",
    ExampleViewSet,
    basename="dataset-example",
)
nested.register(r"experiments/(?P<experiment_pk>[0-9]+)/trials", TrialViewSet, basename="experiment-trial")
nested.register(
    r"evaluations/(?P<evaluation_pk>[0-9]+)/results", EvaluationResultViewSet, basename="evaluation-result"
)


class TokenView(ApiViewMixin, ObtainAuthToken):
    """POST a username and password; get the user's API token (``Authorization: Token <key>``)."""

    # ObtainAuthToken names DRF's own parsers; use the project's bounded ones (docs/security-input.md).
    parser_classes = [SafeJSONParser, BoundedFormParser, BoundedMultiPartParser]
    throttle_classes = [SettingsScopedRateThrottle]
    throttle_scope = "auth_token"
    throttle_default_rate = "30/min"  # unless DEFAULT_THROTTLE_RATES["auth_token"] says otherwise

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


urlpatterns = [
    path("", include(router.urls)),
    path("", include(nested.urls)),
    path("engine/capabilities/", EngineCapabilitiesView.as_view(), name="engine-capabilities"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/", include("rest_framework.urls")),  # session login/logout for the browsable API
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
]
