"""WSGI entry point for `gunicorn bot.wsgi:app`: the app built from the environment."""

import gc

from bot.app.webhook import create_app

app = create_app()

# Everything imported and built so far lives as long as the process: move it out of the
# collector's reach. Otherwise each full collection walks the whole web process (~70,000
# objects, the job code included) and stalls every request in flight for ~20-30 ms; the
# JSON of each 28 KB payload triggers those collections every few seconds under load.
# Under `gunicorn --preload` this runs once in the master, before the workers are forked.
gc.freeze()
