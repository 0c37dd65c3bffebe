from django.apps import AppConfig


class ActionsConfig(AppConfig):
    """The action layer: declarations (``actions.register``) and the surfaces derived from them."""

    name = "actions"
    default_auto_field = "django.db.models.BigAutoField"
