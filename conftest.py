# Loaded by pytest before Django is configured: a test run is a development run.
import os

os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
