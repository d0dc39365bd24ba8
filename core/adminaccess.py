"""Who sees what on the Django admin site: capabilities, not Django's permission rows.

Nobody is a Django superuser (issue 22 §2: the administrator used to be one and so listed every
API token, set the security officer's password and cleared lockouts). ``User.has_perm`` asks
this module: an admin permission (``relief.change_standard``) is held when the user holds one
of the capabilities its app declared for that model and action, in its ``admin.py``::

    from core.adminaccess import admin_access
    admin_access(Standard, caps=[Cap.STANDARDS_EDIT])

A model nobody declared (API tokens, django-axes' records, groups, the raw history events) is
on no one's admin site. Model admins that decide by capability themselves (staff accounts, the
logs) do not ask this.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.roles import Cap, capabilities_of

ACTIONS = ("view", "add", "change", "delete")

_ACCESS: dict[str, dict[str, frozenset[Cap]]] = {}


def admin_access(model, *, caps: Iterable[Cap], actions: Iterable[str] = ("view", "add", "change")) -> None:
    """Open ``model`` on the admin site to holders of any of ``caps``, for ``actions`` (never delete by default)."""
    label = model._meta.label_lower if hasattr(model, "_meta") else str(model).lower()
    entry = _ACCESS.setdefault(label, {})
    for action in actions:
        if action not in ACTIONS:
            raise ValueError(f"Unknown admin action {action!r}")
        entry[action] = frozenset(caps)


def has_admin_perm(user, perm: str) -> bool:
    """``perm`` is Django's ``app_label.action_model``."""
    app_label, _, codename = (perm or "").partition(".")
    action, _, model_name = codename.partition("_")
    caps = _ACCESS.get(f"{app_label}.{model_name}", {}).get(action)
    return bool(caps and caps & capabilities_of(user))


def has_admin_module_perms(user, app_label: str) -> bool:
    held = capabilities_of(user)
    prefix = f"{app_label}."
    return any(label.startswith(prefix) and any(c & held for c in entry.values()) for label, entry in _ACCESS.items())


def declared() -> dict[str, dict[str, frozenset[Cap]]]:
    return {label: dict(entry) for label, entry in _ACCESS.items()}
