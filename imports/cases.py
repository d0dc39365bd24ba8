"""Existing cases (dibao, tekun, orphans, disability subsidies): filled in below."""

CASE_KINDS: list = []
