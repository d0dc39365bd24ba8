"""The staff side's permission rules on online applications (``core.permissions``)."""
