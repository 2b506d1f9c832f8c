import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from gongqing.heap import freeze_start_up_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongqing.settings")
application = get_wsgi_application()

# Each gunicorn worker imports this module after the fork. With the URLconf (and so every view and the API) loaded,
# the worker's start-up objects are set aside from the cyclic collector, as the Celery pool processes do
# (gongqing.heap): the full collections that requests set off no longer walk them.
get_resolver().url_patterns  # noqa: B018 - loads the URLconf's modules
freeze_start_up_objects()
