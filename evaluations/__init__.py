"""Evaluations: a program version scored on a dataset version split, one result row per example."""
