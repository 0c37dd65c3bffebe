"""REST API of evaluations and their per-example results; read-only until the runner lands."""
