"""Not built yet: see the issue that covers this app."""
