"""Bounds on a GraphQL request, checked before graphql-core validates (or fully parses) it.

In order, each check cheap enough to run on whatever arrives:

1. the document's size in bytes (``DSPEX_GRAPHQL_MAX_DOCUMENT_BYTES``, code ``DOCUMENT_TOO_LARGE``);
2. one pass of graphql-core's lexer (iterative) counting tokens (``DSPEX_GRAPHQL_MAX_TOKENS``,
   ``TOO_MANY_TOKENS``), definitions (``DSPEX_GRAPHQL_MAX_DEFINITIONS``, ``TOO_MANY_DEFINITIONS``)
   and bracket nesting (``DSPEX_MAX_JSON_DEPTH``, ``NESTED_TOO_DEEP``): the parser is recursive
   descent, so nesting is bounded before it runs;
3. the parse itself (``max_tokens`` as a second lock);
4. depth (``DSPEX_GRAPHQL_MAX_DEPTH``, ``QUERY_TOO_DEEP``) and cost (``DSPEX_GRAPHQL_MAX_COST``,
   ``QUERY_TOO_COSTLY``) of every operation, measured without recursion
   (:mod:`dspex_project.graphql.validation`); only then do the standard validation rules run, whose
   work is bounded by the cost (some of them compare fields pairwise).

Each limit is read from the settings on every request. A refusal is a ``GraphQLError`` with an
``extensions.code``; the view answers it like a validation error (HTTP 400, no ``data``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from graphql import DocumentNode, GraphQLError, GraphQLSyntaxError, Source, TokenKind, parse
from graphql.language.lexer import Lexer

from core.safe_input import max_json_depth
from dspex_project.graphql.validation import measure_operations, too_costly_error, too_deep_error

__all__ = [
    "DOCUMENT_TOO_LARGE",
    "NESTED_TOO_DEEP",
    "TOO_MANY_DEFINITIONS",
    "TOO_MANY_TOKENS",
    "GraphQLLimits",
    "check_document",
]

DOCUMENT_TOO_LARGE = "DOCUMENT_TOO_LARGE"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
TOO_MANY_DEFINITIONS = "TOO_MANY_DEFINITIONS"
NESTED_TOO_DEEP = "NESTED_TOO_DEEP"

_OPENING = {TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L}
_CLOSING = {TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R}


@dataclass(frozen=True)
class GraphQLLimits:
    max_document_bytes: int
    max_tokens: int
    max_definitions: int
    max_nesting: int
    max_depth: int
    max_cost: int

    @classmethod
    def from_settings(cls) -> GraphQLLimits:
        return cls(
            max_document_bytes=int(getattr(settings, "DSPEX_GRAPHQL_MAX_DOCUMENT_BYTES", 100_000)),
            max_tokens=int(getattr(settings, "DSPEX_GRAPHQL_MAX_TOKENS", 5000)),
            max_definitions=int(getattr(settings, "DSPEX_GRAPHQL_MAX_DEFINITIONS", 100)),
            max_nesting=max_json_depth(),
            max_depth=int(getattr(settings, "DSPEX_GRAPHQL_MAX_DEPTH", 10)),
            max_cost=int(getattr(settings, "DSPEX_GRAPHQL_MAX_COST", 500)),
        )


def _error(message: str, code: str, **extensions: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def _scan(query: str, limits: GraphQLLimits) -> GraphQLError | None:
    """Count tokens, definitions and nesting with the lexer; a lexing error is left to the parser."""
    lexer = Lexer(Source(query))
    tokens = definitions = nesting = 0
    in_definition = False  # between a definition's first word and its selection set
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF:
            tokens += 1
            if tokens > limits.max_tokens:
                return _error(
                    f"The document has more than {limits.max_tokens} tokens (names, punctuation, "
                    "values); send a smaller one.",
                    TOO_MANY_TOKENS,
                    maxTokens=limits.max_tokens,
                )
            kind = token.kind
            if nesting == 0 and (kind == TokenKind.NAME or (kind == TokenKind.BRACE_L and not in_definition)):
                if not in_definition:
                    definitions += 1
                    if definitions > limits.max_definitions:
                        return _error(
                            f"The document has more than {limits.max_definitions} definitions "
                            "(operations and fragments).",
                            TOO_MANY_DEFINITIONS,
                            maxDefinitions=limits.max_definitions,
                        )
                in_definition = kind == TokenKind.NAME
            elif nesting == 0 and kind == TokenKind.BRACE_L:
                in_definition = False  # the selection set of the definition just named
            if kind in _OPENING:
                nesting += 1
                if nesting > limits.max_nesting:
                    return _error(
                        f"The document nests brackets deeper than {limits.max_nesting} levels.",
                        NESTED_TOO_DEEP,
                        maxNesting=limits.max_nesting,
                    )
            elif kind in _CLOSING:
                nesting = max(nesting - 1, 0)
            token = lexer.advance()
    except GraphQLSyntaxError:
        return None
    return None


def check_document(
    query: str, limits: GraphQLLimits | None = None
) -> tuple[DocumentNode | None, list[GraphQLError]]:
    """``(document, errors)``: the parsed document (``None`` when it does not parse: the view's
    own parse then reports the syntax error) and the limits it breaks (``[]``: none)."""
    limits = limits or GraphQLLimits.from_settings()
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > limits.max_document_bytes:
        return None, [
            _error(
                f"The document is {size} bytes; the most accepted is {limits.max_document_bytes}. "
                "Send large values (such as file contents) as variables.",
                DOCUMENT_TOO_LARGE,
                maxBytes=limits.max_document_bytes,
            )
        ]
    rejection = _scan(query, limits)
    if rejection is not None:
        return None, [rejection]
    try:
        document = parse(query, max_tokens=limits.max_tokens)
    except GraphQLError:
        return None, []
    errors: list[GraphQLError] = []
    for operation, measure in measure_operations(document):
        if measure.depth > limits.max_depth:
            errors.append(too_deep_error(operation, measure.depth, limits.max_depth))
        elif measure.cost > limits.max_cost:
            errors.append(too_costly_error(operation, measure.cost, limits.max_cost))
    return document, errors
