"""Experiments: optimize runs of a program version on a dataset version, and their trials."""
