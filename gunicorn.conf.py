"""gunicorn's configuration for the web app: `gunicorn -c gunicorn.conf.py tattoo.wsgi`.

Workers and threads come from the app's settings (WEB_WORKERS, WEB_THREADS in tattoo/settings.py,
read from the environment like every other setting), so `make serve`, systemd and containers
size the server the same way. gthread: each worker process serves WEB_THREADS requests at once
and keeps connections alive, so a slow client or a database wait does not hold a whole process.
"""

from tattoo import settings as _settings

wsgi_app = "tattoo.wsgi:application"
worker_class = "gthread"
workers = _settings.WEB_WORKERS
threads = _settings.WEB_THREADS
timeout = 30
keepalive = 5
# The app writes one structured line per request itself (docs/deploy.md §1); no access log here.
accesslog = None
control_socket_disable = True


def post_worker_init(worker):
    """The app is loaded: freeze what it made so far (Django, DRF, the URL conf, the settings) out
    of the garbage collector's reach. Those objects live as long as the worker, and every full
    collection would scan them again; requests that allocate a lot (the artist list's free-time
    filter over thousands of artists) trigger one every few requests (bench/README.md, "Finding an artist")."""
    import gc

    gc.freeze()
