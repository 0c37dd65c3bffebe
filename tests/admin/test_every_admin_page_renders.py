"""Every model of the platform is in the admin, with filters and search, and its pages render."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

APPS = ("programs", "datasets", "experiments", "evaluations")
MODELS = sorted(
    f"{model._meta.app_label}.{model._meta.model_name}"
    for app in APPS
    for model in apps.get_app_config(app).get_models()
)


def _model_admin(label):
    app_label, model_name = label.split(".")
    for model, model_admin in admin.site._registry.items():
        if (model._meta.app_label, model._meta.model_name) == (app_label, model_name):
            return model, model_admin
    raise AssertionError(f"{label} is not registered in the admin")


@pytest.mark.parametrize("label", MODELS)
def test_every_model_is_registered_with_list_filters_and_search(label):
    _, model_admin = _model_admin(label)
    assert model_admin.list_filter, f"{label} has no list filters"
    assert model_admin.search_fields, f"{label} has no search"


@pytest.mark.parametrize("label", MODELS)
def test_the_changelist_renders_filtered_and_searched(admin_client, one_of_everything, label):
    url = reverse(f"admin:{label.replace('.', '_')}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert admin_client.get(url, {"q": "qa"}).status_code == 200
    for spec in response.context["cl"].filter_specs:  # every filter's first real choice
        choices = [c for c in spec.choices(response.context["cl"]) if c.get("query_string")]
        if len(choices) > 1:
            assert admin_client.get(url + choices[1]["query_string"]).status_code == 200


@pytest.mark.parametrize("label", MODELS)
def test_the_change_page_of_a_row_renders(admin_client, one_of_everything, label):
    model, _ = _model_admin(label)
    row = model.objects.order_by("pk").first()
    response = admin_client.get(reverse(f"admin:{label.replace('.', '_')}_change", args=[row.pk]))
    assert response.status_code == 200


def test_the_execution_list_shows_latency_tokens_and_cost(admin_client, one_of_everything):
    response = admin_client.get(reverse("admin:programs_execution_changelist"))
    html = response.content.decode()
    for column in ("column-latency_ms", "column-prompt_tokens", "column-completion_tokens", "column-cost"):
        assert column in html
