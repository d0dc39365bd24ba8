from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "welfare"
    verbose_name = _("Welfare")

    def ready(self) -> None:
        # Orphans may be covered by the price-linked subsidy (the rule's ``covered_groups``
        # decides, month by month): relief asks welfare who they are, through its registry.
        from relief.models import CoveredGroup
        from relief.selectors import register_covered_group
        from welfare.selectors import orphans_covered

        register_covered_group(CoveredGroup.ORPHAN, orphans_covered)
        # its permission rules (core.permissions), work-queue kinds (core.worklist), searchers (core.search)
        # how its benefits are paid: its schemes' selections, registered with the payout engine
        from welfare import (  # noqa: F401
            documents,
            panels,
            payable,
            permissions,
            worklist,
        )
