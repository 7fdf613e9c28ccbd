"""The web dashboard: server-rendered pages in French and English over the API's accounts."""
