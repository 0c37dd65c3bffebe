"""REST API of programs: signatures, programs (+ execute), program versions, executions."""
