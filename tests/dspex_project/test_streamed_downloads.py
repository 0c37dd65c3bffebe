"""Streamed CSV/JSON helpers: valid documents, chunked, non-text cells as JSON."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from core.streaming import csv_lines, json_document


def test_csv_lines_stream_a_header_and_rows_in_chunks():
    rows = ({"a": i, "b": ["x", i], "c": None} for i in range(450))
    chunks = list(csv_lines(["a", "b", "c"], rows))
    assert len(chunks) >= 3
    parsed = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(parsed) == 450
    assert parsed[7] == {"a": "7", "b": '["x", 7]', "c": ""}


def test_json_document_streams_items_into_one_valid_document():
    chunks = list(
        json_document({"evaluation": {"cost": Decimal("0.5")}}, "results", ({"i": i} for i in range(450)))
    )
    assert len(chunks) >= 3
    document = json.loads("".join(chunks))
    assert document["evaluation"] == {"cost": "0.5"}
    assert [item["i"] for item in document["results"]] == list(range(450))


def test_an_empty_json_list_is_still_valid():
    assert json.loads("".join(json_document({}, "results", []))) == {"results": []}
