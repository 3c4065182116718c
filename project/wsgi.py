"""The WSGI entry point, for servers (gunicorn): requests get a statement timeout
(DATABASE_STATEMENT_TIMEOUT, 30 s unless set), which management commands do not."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", "30s")
application = get_wsgi_application()
