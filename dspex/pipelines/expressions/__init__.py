"""A small, safe expression language for pipeline references and conditions.

Own tokenizer, recursive-descent parser and evaluator (no ``eval``/``exec``/``ast``/``compile``).
See ``dspex.pipelines.expressions.parser`` for the grammar and ``functions`` for what can be called.
"""

from dspex.pipelines.expressions.budget import Budget, Limits
from dspex.pipelines.expressions.errors import ExpressionError
from dspex.pipelines.expressions.expression import Expression
from dspex.pipelines.expressions.functions import FUNCTIONS
from dspex.pipelines.expressions.parser import MAX_DEPTH, MAX_NODES, parse
from dspex.pipelines.expressions.tokenizer import MAX_LENGTH

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "Budget",
    "Expression",
    "ExpressionError",
    "Limits",
    "parse",
]
