"""The dashboard's figures as the page, the export and the work summary show them.

``figure_list(summary)`` turns the summary (``selectors.summary``) into one flat list:
each figure's label, kind (count or money), total, trend by month and split by the next
level down, in the order the half-year report reads. ``work_summary(summary)`` writes
them as the report does, in Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

COUNT, MONEY = "count", "money"


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: object
    kind: str
    source: str  # "scheme:<code>" or a key of the summary's "series"
    field: str  # the measure in that source


SPECS = [
    FigureSpec("dibao_households", _("Dibao households"), COUNT, "scheme:dibao", "households"),
    FigureSpec("dibao_persons", _("Dibao persons"), COUNT, "scheme:dibao", "persons"),
    FigureSpec("dibao_amount", _("Dibao paid"), MONEY, "scheme:dibao", "amount"),
    FigureSpec("tekun_persons", _("Tekun persons"), COUNT, "scheme:tekun", "persons"),
    FigureSpec("tekun_amount", _("Tekun paid"), MONEY, "scheme:tekun", "amount"),
    FigureSpec("relief_households", _("Temporary relief households"), COUNT, "temporary_relief", "households"),
    FigureSpec("relief_claims", _("Temporary relief claims approved"), COUNT, "temporary_relief", "claims"),
    FigureSpec("relief_amount", _("Temporary relief paid"), MONEY, "temporary_relief", "amount"),
    FigureSpec("price_persons", _("Price-linked subsidy persons"), COUNT, "scheme:price_subsidy", "persons"),
    FigureSpec("price_amount", _("Price-linked subsidy paid"), MONEY, "scheme:price_subsidy", "amount"),
    FigureSpec("orphan_persons", _("Orphans"), COUNT, "scheme:orphan", "persons"),
    FigureSpec("orphan_amount", _("Orphans' allowance paid"), MONEY, "scheme:orphan", "amount"),
    FigureSpec("living_persons", _("Living subsidy persons"), COUNT, "scheme:disability_living", "persons"),
    FigureSpec("living_amount", _("Living subsidy paid"), MONEY, "scheme:disability_living", "amount"),
    FigureSpec("nursing_persons", _("Nursing subsidy persons"), COUNT, "scheme:disability_nursing", "persons"),
    FigureSpec("nursing_amount", _("Nursing subsidy paid"), MONEY, "scheme:disability_nursing", "amount"),
    FigureSpec("vagrant_helped", _("Vagrants and beggars helped"), COUNT, "vagrant_helped", "n"),
    FigureSpec("vagrant_reunited", _("Reunited with their families"), COUNT, "vagrant_reunited", "n"),
    FigureSpec("marriages", _("Marriages registered"), COUNT, "marriages", "n"),
    FigureSpec("divorces", _("Divorces registered"), COUNT, "divorces", "n"),
    FigureSpec("social_orgs", _("Social organizations registered"), COUNT, "social_orgs_registered", "n"),
    FigureSpec("community_orgs", _("Community social organizations filed"), COUNT, "community_orgs_filed", "n"),
    FigureSpec("roads_named", _("Roads named"), COUNT, "roads_named", "n"),
    FigureSpec("centres_site", _("Elderly-care centre sites chosen"), COUNT, "centres_site", "n"),
    FigureSpec("centres_operator", _("Elderly-care centre operators contracted"), COUNT, "centres_operator", "n"),
    FigureSpec("centres_built", _("Elderly-care centres built"), COUNT, "centres_built", "n"),
    FigureSpec("left_behind_visits", _("Visits to left-behind elderly"), COUNT, "left_behind_visits", "n"),
    FigureSpec("donations", _("Charity donations received"), COUNT, "donations", "n"),
    FigureSpec("donations_amount", _("Charity money received"), MONEY, "donations", "amount"),
    FigureSpec("donations_used", _("Charity money used"), MONEY, "donations_used", "amount"),
    FigureSpec("volunteers", _("Registered volunteers"), COUNT, "volunteers", "n"),
]


def _value(kind: str, raw) -> Decimal | int:
    return Decimal(str(raw)) if kind == MONEY else int(raw)


def figure_list(summary: dict) -> list[dict]:
    out = []
    for spec in SPECS:
        if spec.source.startswith("scheme:"):
            source = summary["schemes"][spec.source.split(":", 1)[1]]
            total = source[spec.field]
        else:
            source = summary["series"][spec.source]
            total = _registry_total(summary, spec)
        out.append(
            {
                "key": spec.key,
                "label": str(spec.label),
                "kind": spec.kind,
                "total": _value(spec.kind, total),
                "by_month": [_value(spec.kind, row[spec.field]) for row in source["by_month"]],
                "by_division": [_value(spec.kind, row[spec.field]) for row in source["by_division"]],
            }
        )
    return out


def _registry_total(summary: dict, spec: FigureSpec):
    totals = {
        ("temporary_relief", "households"): summary["temporary_relief"]["households"],
        ("temporary_relief", "claims"): summary["temporary_relief"]["claims"],
        ("temporary_relief", "amount"): summary["temporary_relief"]["amount"],
        ("vagrant_helped", "n"): summary["vagrant_relief"]["helped"],
        ("vagrant_reunited", "n"): summary["vagrant_relief"]["reunited"],
        ("marriages", "n"): summary["marriage"]["marriages"],
        ("divorces", "n"): summary["marriage"]["divorces"],
        ("social_orgs_registered", "n"): summary["social_orgs"]["registered"],
        ("community_orgs_filed", "n"): summary["social_orgs"]["community_filed"],
        ("roads_named", "n"): summary["roads_named"],
        ("centres_site", "n"): summary["elderly_care"]["sites_chosen"],
        ("centres_operator", "n"): summary["elderly_care"]["operators_contracted"],
        ("centres_built", "n"): summary["elderly_care"]["built"],
        ("left_behind_visits", "n"): summary["elderly_care"]["left_behind_visits"],
        ("donations", "n"): summary["charity"]["donations"],
        ("donations", "amount"): summary["charity"]["amount"],
        ("donations_used", "amount"): summary["charity"]["used"],
        ("volunteers", "n"): summary["volunteers"],
    }
    return totals[(spec.source, spec.field)]


def months_of(summary: dict) -> list[str]:
    return [row["month"] for row in summary["schemes"]["dibao"]["by_month"]]


def divisions_of(summary: dict) -> list[dict]:
    return [{"code": row["code"], "name": row["name"]} for row in summary["schemes"]["dibao"]["by_division"]]


# --- The work summary, in the half-year report's words ----------------------------------------------


def _strip(number: Decimal, places: int) -> str:
    text = f"{number:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cn_count(n: int, unit: str) -> str:
    """62000 → "6.2万户"; 5222 → "5222户" (the report's way)."""
    if n >= 10000:
        return f"{_strip(Decimal(n) / 10000, 1)}万{unit}"
    return f"{n}{unit}"


def cn_money(amount) -> str:
    """360000000 → "3.6亿元"; 60330000 → "6033万元"; 6636600 → "663.66万元"; 880 → "880元"."""
    amount = Decimal(str(amount))
    if amount >= Decimal("100000000"):
        return f"{_strip(amount / Decimal('100000000'), 2)}亿元"
    if amount >= Decimal("10000"):
        return f"{_strip(amount / Decimal('10000'), 2)}万元"
    return f"{_strip(amount, 2)}元"


def period_words(start: str, end: str) -> str:
    """The period as the report names it: 上半年, 下半年, 全年, 一季度, a month, or a span."""
    y1, m1 = (int(x) for x in start.split("-"))
    y2, m2 = (int(x) for x in end.split("-"))
    if y1 == y2:
        named = {(1, 6): "上半年", (7, 12): "下半年", (1, 12): "全年"}
        named |= {(1, 3): "一季度", (4, 6): "二季度", (7, 9): "三季度", (10, 12): "四季度"}
        if (m1, m2) in named:
            return f"{y1}年{named[(m1, m2)]}"
        if m1 == m2:
            return f"{y1}年{m1}月"
        return f"{y1}年{m1}月至{m2}月"
    return f"{y1}年{m1}月至{y2}年{m2}月"


def work_summary(summary: dict, *, city_code: str = "370200") -> list[str]:
    """Paragraphs in the style of the half-year work report, every number from ``summary``."""
    period = period_words(summary["from"], summary["to"])
    where = "全市" if summary["division"] == city_code else summary.get("division_name", summary["division"])
    s = summary["schemes"]
    relief, price = summary["temporary_relief"], summary["price_subsidy"]
    vagrant, marriage, orgs = summary["vagrant_relief"], summary["marriage"], summary["social_orgs"]
    elderly, charity = summary["elderly_care"], summary["charity"]
    dibao, tekun, orphan = s["dibao"], s["tekun"], s["orphan"]
    living, nursing = s["disability_living"], s["disability_nursing"]
    return [
        f"{period}，{where}共保障城乡低保对象{cn_count(dibao['households'], '户')}、"
        f"{cn_count(dibao['persons'], '人')}，发放低保金{cn_money(dibao['amount'])}，"
        f"发放特困人员救助供养金{cn_money(tekun['amount'])}（保障特困人员{cn_count(tekun['persons'], '人')}）。",
        f"共临时救助{cn_count(relief['households'], '户')}（审批{relief['claims']}件），"
        f"发放资金{cn_money(relief['amount'])}。"
        f"共启动物价联动补贴{price['triggers']}次，惠及{cn_count(price['persons'], '人')}，"
        f"发放物价联动补贴{cn_money(price['amount'])}。",
        f"为{cn_count(orphan['persons'], '名')}机构养育孤儿、社会散居孤儿等发放基本生活费{cn_money(orphan['amount'])}。"
        f"共救助流浪乞讨人员{vagrant['helped']}人、寻亲成功{vagrant['reunited']}人。"
        f"为{cn_count(living['persons'], '名')}困难残疾人发放生活补贴{cn_money(living['amount'])}，"
        f"为{cn_count(nursing['persons'], '名')}重度残疾人发放护理补贴{cn_money(nursing['amount'])}。",
        # A clause of nothing is left out (the report names no new registrations in its half year).
        (f"新登记社会组织{orgs['registered']}家，" if orgs["registered"] else "")
        + f"培育发展社区社会组织{orgs['community_filed']}家。"
        f"完成{summary['roads_named']}条道路命名工作。"
        f"{where}结婚登记{marriage['marriages']}对，离婚{marriage['divorces']}对。",
        f"街道级居家社区养老服务中心选址{elderly['sites_chosen']}处、确定运营方{elderly['operators_contracted']}处、"
        f"建成{elderly['built']}处；"
        + (
            f"发放养老机构运营补贴{cn_money(s['elderly_operating']['amount'])}；"
            if s.get("elderly_operating", {}).get("amount") not in (None, "0.00")
            else ""
        )
        + f"探访农村留守老年人{elderly['left_behind_visits']}人次。"
        f"接收慈善捐赠{charity['donations']}笔、资金{cn_money(charity['amount'])}，使用{cn_money(charity['used'])}。"
        f"注册志愿者{cn_count(summary['volunteers'], '人')}。",
    ]
