"""Compatibility namespaces: other libraries' public names, mapped onto the engine.

:mod:`dspex.compat.dspy` mirrors dspy's module layout (``dspy.predict``, ``dspy.teleprompt``,
``dspy.utils``, ...) so that ``import dspex.compat.dspy as dspy`` runs DSPy programs. It holds
names only; behaviour lives in the engine. :func:`dspex.compat.alias.install` goes one step
further and makes ``import dspy`` itself resolve to it (how DSPy's own tests run on dspex).
See docs/dspy-compat.md.
"""
