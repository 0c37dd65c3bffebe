"""GraphQL bases shared by the apps (the schema itself is ``dspex_project.schema``).

- ``permissions``: permission classes declared on mutations and ``require_user`` for queries;
- ``types``: the node base with per-user visibility, the counted connection, the ``User`` type;
- ``optimizer``: ``select_related``/``prefetch_related`` from the query's selection (no N+1);
- ``filters``: relay-ID filters and the filter connection field;
- ``mutations``: ``BaseMutation`` (permissions, payload ``errors { field message code }``);
- ``scalars``: the ``JSON`` scalar and the credential redaction of JSON values;
- ``throttling``: rate limits shared with REST.
"""
