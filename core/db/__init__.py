"""The portal's PostgreSQL backend and its two database roles (issue 22 §8).

``ENGINE = "core.db"`` is Django's PostgreSQL backend plus one thing: the application's
connections act as **the application role**, which is neither a superuser nor the owner of
the tables, while migrations (and the few owner's commands: ``flush``, ``generate_city``)
act as **the owner**. See ``core.db.roles`` for how each mode is set up.
"""
