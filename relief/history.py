"""The shipped standards' source texts, as people read them (``core.history.register_sentence``).

Imported by ``ReliefConfig.ready``. The seeds write their sources in a fixed form ("demo value
(演示数据); raised from 1 April 2020", the bureau's report in Chinese); shown, each reads as a
sentence in the reader's language. A source an administrator types is shown as typed.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import history

# What follows "demo value (演示数据)" in the seeds (relief.services, relief.demo).
DEMO_NOTES = {
    "city-wide default for every district": gettext_lazy("the city-wide default for every district"),
    "raised from 1 April 2020": gettext_lazy("raised from 1 April 2020"),
    "1.3 × dibao": gettext_lazy("1.3 × the dibao standard"),
    "1.3 × dibao, raised from 1 April 2020": gettext_lazy("1.3 × the dibao standard, raised from 1 April 2020"),
    "审批权委托下放镇（街）改革试点": gettext_lazy("the pilot delegating approval to towns and sub-districts"),
}
SHIPPED = {
    "临时救助年累计救助金额上限": gettext_lazy("The annual cap on temporary relief per household."),
    "2020年上半年工作总结：1月1日起由2万元提高到3万元": gettext_lazy(
        "The bureau's 2020 half-year report: raised from 20,000 to 30,000 from 1 January."
    ),
    "全国社会救助和保障标准与物价上涨挂钩联动机制（CPI 3.5%或食品CPI 6%）": gettext_lazy(
        "The national price-linkage mechanism of assistance standards (CPI 3.5% or food CPI 6%)."
    ),
}


def _demo(match) -> str:
    rest = (match.group(1) or "").strip()
    if not rest:
        return _("Demonstration value.")
    return _("Demonstration value: %(note)s.") % {"note": DEMO_NOTES.get(rest, rest)}


history.register_sentence(r"demo value \(演示数据\)(?:[;:：]\s*(.*))?", _demo)
for _text, _reading in SHIPPED.items():
    history.register_sentence(re.escape(_text), lambda m, reading=_reading: str(reading))
