"""GraphQL for experiments (optimize runs) and their trials."""
