"""The programs app's gateway to the engine: the only modules here that import both program rows
and ``dspex``, one job each.

- ``signatures``: Signature rows -> ``dspex.Signature`` classes; inputs checked; outputs back;
- ``lms``: a program's ``lm_config`` -> a ``dspex.LM`` on an allow-listed endpoint;
- ``modules``: a Program (+ a version's state) -> a dspex module; config and state checks;
- ``running``: a module run (or streamed) on inputs, with its LM calls (``ModuleRun``);
- ``usage``: LM calls -> usage totals and ``LMCallTrace`` rows;
- ``capabilities``: what the engine offers a user.
"""
