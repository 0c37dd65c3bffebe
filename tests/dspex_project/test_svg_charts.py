"""Server-side SVG charts: self-contained markup (no script, no remote reference), escaped labels."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from core.svg import bar_chart, histogram, progress_bar

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup):
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    assert "<script" not in markup and "href" not in markup
    return root


def test_a_progress_bar_fills_its_share_and_says_it():
    root = _parse(progress_bar(0.25, width=200, label="5/20"))
    track, fill = root.findall(f"{SVG}rect")
    assert float(fill.get("width")) == float(track.get("width")) * 0.25
    assert root.find(f"{SVG}text").text == "5/20"
    assert "unknown" in progress_bar(None)


def test_a_bar_chart_has_a_bar_per_item_and_escapes_labels():
    markup = bar_chart([("<b>exact</b>", 0.5), ("f1", None)], title="scores")
    root = _parse(markup)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["<b>exact</b>", "50.0%", "f1", "n/a"]  # escaped in the markup, intact when parsed
    assert "&lt;b&gt;" in markup


def test_a_histogram_counts_values_per_bin():
    root = _parse(histogram([0.0, 0.05, 0.5, 1.0, 1.0, 1.0], bins=10))
    titles = [r.find(f"{SVG}title").text for r in root.findall(f"{SVG}rect")]
    assert titles[0] == "0.0-0.1: 2" and titles[5] == "0.5-0.6: 1" and titles[9] == "0.9-1.0: 3"
