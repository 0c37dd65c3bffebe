"""REST API of experiments (optimize runs) and their trials; read-only until the runners land."""
