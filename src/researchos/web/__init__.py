"""The REST API (FastAPI) and, later, the web console: thin shells over domain functions."""
