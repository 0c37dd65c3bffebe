"""Datasets: immutable numbered versions of examples, imported from and exported to JSONL/CSV."""
