"""The one table of the action layer: idempotency keys of background runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["ActionRequest"]


class ActionRequest(models.Model):
    """A background action a user started with an idempotency key, and the status row it made.

    The same user sending the same key for the same action again gets that row back instead of a
    second run (a retried request after a timeout never starts the work twice).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=100, help_text='The action key, e.g. "program.optimize"')
    key = models.CharField(max_length=200, help_text="The client's Idempotency-Key")
    row_model = models.CharField(max_length=100, help_text='The status row\'s model, "app_label.Model"')
    row_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "action", "key"], name="action_request_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.key!r} -> {self.row_model} {self.row_id}"
