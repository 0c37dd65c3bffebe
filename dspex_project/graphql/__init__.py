"""Shared pieces of the GraphQL layer (the schema itself is ``dspex_project.schema``).

- ``views``: the ``/graphql/`` view (session or DRF token authentication, CSRF for sessions, the
  input limits, GraphiQL served from local static files);
- ``permissions``: permission classes declared on mutations and ``require_user`` for queries;
- ``types``: the node base with per-user visibility, the counted connection, the ``User`` type;
- ``optimizer``: ``select_related``/``prefetch_related`` from the query's selection (no N+1);
- ``filters``: relay-ID filters and the filter connection field;
- ``mutations``: ``BaseMutation`` (permissions, payload ``errors { field message code }``);
- ``scalars``: the ``JSON`` scalar and the credential redaction of JSON values;
- ``limits``: bounds checked before validation (size, tokens, definitions, nesting, depth, cost);
- ``validation``: depth and cost of operations, measured iteratively; ``throttling``: the execute
  rate limit shared with REST.
"""
