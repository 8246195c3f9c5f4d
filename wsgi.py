"""WSGI entry point for gunicorn and ``flask --app wsgi``; also the task-queue worker's entry point."""

from core import create_app
from core.queue import huey  # noqa: F401 — ``huey_consumer wsgi.huey`` starts a worker

app = create_app()
