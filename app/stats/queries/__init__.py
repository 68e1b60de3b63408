"""The statements of the statistics, one module per family of endpoints."""
