"""Names for the users the apps annotate with (for type checkers; nothing here runs Django code).

``User`` is the model ``settings.AUTH_USER_MODEL`` names (django-stubs resolves the apps' foreign
keys to it the same way); ``Caller`` is whoever makes a request, signed in or not, i.e. what
``request.user`` holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.auth.models import User as _AuthUser

__all__ = ["Caller", "User"]

# Strings, so that importing this module needs no app registry (the models load later). They are
# names for annotations only: at run time use ``get_user_model()``.
User: TypeAlias = "_AuthUser"
Caller: TypeAlias = "_AuthUser | AnonymousUser"
