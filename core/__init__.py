"""Shared pieces of the Django apps: ownership, immutable rows, run status and heartbeats, input
bounds, REST and GraphQL bases. The lowest app layer: it imports no other app of the project."""
