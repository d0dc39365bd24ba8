import os

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
application = get_asgi_application()

# No serving without a secret key: reading an empty one raises ImproperlyConfigured.
if not settings.SECRET_KEY:  # pragma: no cover - Django raises before this line is reached
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
