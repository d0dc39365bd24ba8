"""The staff work-queue kind ``online_to_accept`` (``core.worklist``)."""
