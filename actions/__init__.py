"""Resources declare their actions once; REST, GraphQL, the admin, the shell, Celery and the
``manage.py dspex`` command are derived from the declarations.

Declare with :class:`Action` and :func:`register` (in an app's ``AppConfig.ready``); see
``docs/actions.md``. This package sits just above ``core``: it imports no app of the project.
"""

from actions.declaration import Action, Background, Failure, GraphQLShape, Outcome, RunMode, Shell
from actions.policies import OWNER, STAFF, Owner, Policy, Staff
from actions.registration import register, unregister
from actions.registry import all_actions, for_resource, get

__all__ = [
    "OWNER",
    "STAFF",
    "Action",
    "Background",
    "Failure",
    "GraphQLShape",
    "Outcome",
    "Owner",
    "Policy",
    "RunMode",
    "Shell",
    "Staff",
    "all_actions",
    "for_resource",
    "get",
    "register",
    "unregister",
]
