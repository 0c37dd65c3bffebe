"""GraphQL for signatures, programs, versions, executions and LM call traces."""
