"""The web app: server-rendered pages outside /api, calling the same services as the API."""
