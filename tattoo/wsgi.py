import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tattoo.settings")
django_application = get_wsgi_application()  # sets Django up: the front imports models and views

from tattoo.front import PublicReadFront  # noqa: E402

# Anonymous reads of the cached public routes are answered in front of Django's handler.
application = PublicReadFront(django_application)
