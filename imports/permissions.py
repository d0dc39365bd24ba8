"""Who may run bulk imports: rules for ``core.permissions.can`` (imported by ``ImportsConfig.ready``)."""

from __future__ import annotations

from core import permissions
from core.roles import Cap
from imports.models import ImportJob

permissions.register(ImportJob, "upload", caps=[Cap.IMPORT_DATA])
permissions.register(ImportJob, "commit", caps=[Cap.IMPORT_DATA])
