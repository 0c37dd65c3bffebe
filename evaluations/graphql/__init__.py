"""GraphQL for evaluations and their per-example results."""
