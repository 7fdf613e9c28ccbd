"""The REST API: a FastAPI app with one router per domain."""
