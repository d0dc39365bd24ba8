"""The import kinds by key."""

from __future__ import annotations

from functools import cache

from imports.kinds import Kind


@cache
def kinds() -> dict[str, Kind]:
    from charity.imports import VolunteersKind
    from datacheck.imports import PovertyHouseholdsKind
    from imports.cases import CASE_KINDS
    from imports.households import HouseholdsKind
    from monitoring.imports import HouseholdFinancesKind

    found = [HouseholdsKind(), *CASE_KINDS, VolunteersKind(), PovertyHouseholdsKind(), HouseholdFinancesKind()]
    return {k.key: k for k in found}


def kind_of(key: str) -> Kind:
    return kinds()[key]
