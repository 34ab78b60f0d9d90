"""WSGI entry point for `gunicorn bot.wsgi:app`: the app built from the environment."""

from bot.webhook import create_app

app = create_app()
