"""REST API of datasets: datasets, their immutable versions and examples, import and export."""
