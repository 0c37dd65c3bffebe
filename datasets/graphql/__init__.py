"""GraphQL for datasets, their immutable versions and examples."""
