"""WSGI entry point used by `pilothouse serve` (gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilothouse.config.settings")
application = get_wsgi_application()
