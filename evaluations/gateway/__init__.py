"""The evaluations app's gateway to the engine: the only modules here that import both
evaluation rows and ``dspex``.

- ``scoring``: an Evaluation's ``metrics`` -> scoring callables, checked against the signature;
- ``running``: ``EvaluationStream``, the run of ``dspex.Evaluate`` over Example rows.
"""
