"""Programs: signatures, programs, their immutable versions and executions (with LM call traces)."""
