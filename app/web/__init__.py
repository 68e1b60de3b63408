"""The web app: the pages outside /api and the files they load."""
