"""The analysts' case service: a FastAPI API and page over the case views and decision store."""
