"""The project's GraphQL plumbing (the schema itself is ``dspex_project.schema``; the bases the
apps build on are in ``core.graphql``).

- ``views``: the ``/graphql/`` view (session or DRF token authentication, CSRF for sessions, the
  input limits, GraphiQL served from local static files);
- ``limits``: bounds checked before validation (size, tokens, definitions, nesting, depth, cost);
- ``validation``: depth and cost of operations, measured iteratively.
"""
