# Loaded by pytest before Django is configured: a test run is a development run.
import os

os.environ.setdefault("CIVIL_AFFAIRS_DEV", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "0")  # live-server threads must not hold connections past a test
