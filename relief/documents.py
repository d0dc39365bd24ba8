"""Relief's paper: the evidence its cases and claims carry (attachments)."""

from core.cases import PENDING_STATUSES
from core.roles import Cap
from documents.registry import register_attachable
from relief.models import ClaimStatus, DibaoCase, TekunCase, TemporaryReliefClaim

_RELIEF = {"view_caps": [Cap.RELIEF_VIEW], "attach_caps": [Cap.RELIEF_APPLY]}

register_attachable(
    DibaoCase,
    collection="dibao-cases",
    decided=lambda case: case.status not in PENDING_STATUSES,
    page="relief:dibao-detail",
    **_RELIEF,
)
register_attachable(
    TekunCase,
    collection="tekun-cases",
    decided=lambda case: case.status not in PENDING_STATUSES,
    page="relief:tekun-detail",
    **_RELIEF,
)
register_attachable(
    TemporaryReliefClaim,
    collection="temporary-relief-claims",
    decided=lambda claim: claim.status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.WITHDRAWN),
    page="relief:claim-detail",
    **_RELIEF,
)


# --- Printed documents (documents.render): written in Chinese whatever the reader's language,
# as the bureau files and hands them out (api.md: "its text in Chinese").

import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from core.cases import CaseStatus, timeline_of  # noqa: E402
from core.idnumbers import mask_id_number  # noqa: E402
from documents.printing import register_community_document, register_document  # noqa: E402
from documents.render import Document, Fields, Opinion, Paragraph, Table, chinese_date  # noqa: E402

_APPROVED = (CaseStatus.ACTIVE, CaseStatus.SUSPENDED, CaseStatus.TERMINATED)
_VIEW = [Cap.RELIEF_VIEW]


def _day(moment) -> datetime.date | None:
    return timezone.localtime(moment).date() if moment else None


def _steps(record) -> dict[str, object]:
    """The latest event of each action (submit/open, review, approve, reject…) of the record."""
    return {event.action: event for event in timeline_of(record)}


def _first_opinion(opened, *, investigated) -> str:
    """What the window wrote when it took the application, never a finding nobody recorded."""
    if opened and opened.note:
        return opened.note
    if investigated is not None:
        return f"已于{chinese_date(_day(investigated.at))}入户调查，同意上报。"
    return "已受理申请，尚未入户调查。" if opened else ""


def _opinions(record, *, first_label: str) -> list[Opinion]:
    steps = _steps(record)
    opened = steps.get("open") or steps.get("submit")
    review = steps.get("review")
    decision = steps.get("approve") or steps.get("reject")
    refer = steps.get("refer")
    blocks = [
        Opinion(
            first_label,
            _first_opinion(opened, investigated=steps.get("investigate")),
            signer=str(opened.actor) if opened else "",
            dated=_day(opened.at) if opened else None,
        ),
        Opinion(
            "街道（镇）审核意见",
            (review.note or "经审核，同意上报区（市）民政部门审批。") if review else (refer.note if refer else ""),
            signer=str(review.actor) if review else (str(refer.actor) if refer else ""),
            dated=_day(review.at) if review else (_day(refer.at) if refer else None),
            seal=True,
        ),
    ]
    if decision is not None:
        verdict = "同意" if decision.action == "approve" else "不同意"
        text = decision.note or ("经审批，同意给予保障。" if verdict == "同意" else "")
        blocks.append(
            Opinion("审批意见", f"{verdict}。{text}" if text else verdict, str(decision.actor), _day(decision.at), True)
        )
    else:
        blocks.append(Opinion("审批意见", "", seal=True))
    return blocks


def _members_table(household, *, covered_ids: set[int] | None = None) -> Table:
    rows = []
    for member in household.members.select_related("person").order_by("id"):
        person = member.person
        rows.append(
            [
                person.name,
                member.get_relationship_display(),
                person.get_sex_display() if hasattr(person, "get_sex_display") else "",
                mask_id_number(person.id_number),
                "是" if covered_ids is None or person.pk in covered_ids else "否",
            ]
        )
    return Table(["姓名", "与户主关系", "性别", "身份证号（已隐去）", "纳入保障"], rows, [3, 3, 2, 6, 2])


def _dibao_allowance(case):
    from relief.selectors import dibao_allowance

    month = case.start_month or timezone.localdate().replace(day=1)
    try:
        return dibao_allowance(case, month)
    except Exception:  # noqa: BLE001 - no standard for the month: the form shows a blank, not an error
        return None


@register_document(
    DibaoCase, "approval-form", collection="dibao-cases", label=_("Approval form (PDF)"), view_caps=_VIEW
)
def dibao_approval_form(case, *, actor) -> Document:
    household = case.household
    allowance = _dibao_allowance(case)
    covered = set(case.members.values_list("person_id", flat=True))
    return Document(
        title="最低生活保障审批表",
        number=f"低保〔{case.created_at:%Y}〕{case.pk}号",
        file_name=f"低保审批表-{case.pk}",
        blocks=[
            Fields(
                [
                    ("户主姓名", household.head.name),
                    ("身份证号", mask_id_number(household.head.id_number)),
                    ("所在社区", household.community.full_name),
                    ("城乡类别", household.get_area_type_display()),
                    ("家庭住址", household.address),
                    ("保障人数", f"{case.members_count} 人"),
                    ("家庭月收入", f"{case.monthly_income} 元"),
                    ("人均月收入", f"{allowance.result.per_capita_income} 元" if allowance else "—"),
                    ("低保标准", f"{allowance.standard.amount} 元/人·月" if allowance else "—"),
                    ("月保障金额", f"{allowance.amount} 元" if allowance else "—"),
                    ("入户调查", f"{case.investigated_on or '—'}　{case.investigators}".strip()),
                    ("调查情况", case.investigation_findings or "—"),
                ],
                wide=frozenset({"家庭住址", "调查情况", "所在社区"}),
            ),
            _members_table(household, covered_ids=covered),
            *_opinions(case, first_label="社区（村）初审意见"),
        ],
        signatures=["申请人（签字）", "经办人（签字）"],
        seal="审批机关（盖章）",
        dated=_day(case.approved_at) or timezone.localdate(),
        footnote="本表一式三份，审批机关、街道（镇）、社区（村）各存一份。身份证号已隐去中间位，核对时请查验原件。",
    )


def _decided(case) -> bool:
    return case.status in _APPROVED or case.status == CaseStatus.REJECTED


def _reason(record) -> str:
    event = _steps(record).get("reject")
    return (event.note if event else "") or "不符合条件。"


@register_document(
    DibaoCase,
    "decision",
    collection="dibao-cases",
    label=_("Decision notice (PDF)"),
    view_caps=_VIEW,
    available=_decided,
)
def dibao_decision(case, *, actor) -> Document:
    household = case.household
    if case.status == CaseStatus.REJECTED:
        title = "最低生活保障不予确认通知书"
        text = [
            f"你户（户主{household.head.name}）于{chinese_date(_day(case.created_at))}提出的最低生活保障申请，"
            f"经调查核实、审核审批，决定不予确认。理由：{_reason(case)}",
            "如对本决定不服，可自收到本通知书之日起六十日内向上一级民政部门或本级人民政府申请行政复议，"
            "或者在六个月内依法向人民法院提起行政诉讼。",
        ]
        dated = _day(_steps(case)["reject"].at) if "reject" in _steps(case) else timezone.localdate()
    else:
        allowance = _dibao_allowance(case)
        amount = f"{allowance.amount}" if allowance else "—"
        start = f"{case.start_month:%Y年%-m月}" if case.start_month else "—"
        title = "最低生活保障确认通知书"
        text = [
            f"你户（户主{household.head.name}）于{chinese_date(_day(case.created_at))}提出的最低生活保障申请，"
            f"经调查核实、审核审批，确认你户符合最低生活保障条件，保障人数 {case.members_count} 人，"
            f"自{start}起每月发放最低生活保障金 {amount} 元。",
            "享受最低生活保障期间，家庭人口、收入、财产状况发生变化的，应当及时告知街道（镇）或社区（村）。"
            "民政部门将定期复核。",
        ]
        dated = _day(case.approved_at) or timezone.localdate()
    return Document(
        title=title,
        number=f"低保决〔{case.created_at:%Y}〕{case.pk}号",
        recipient=household.head.name,
        file_name=f"{title}-{case.pk}",
        blocks=[Paragraph(t) for t in text],
        seal="（盖章）",
        dated=dated,
    )


def _tekun_allowance(case):
    from relief.selectors import tekun_allowance

    month = case.start_month or timezone.localdate().replace(day=1)
    try:
        return tekun_allowance(case, month)
    except Exception:  # noqa: BLE001 - no standard for the month: a blank on the form
        return None


@register_document(
    TekunCase, "approval-form", collection="tekun-cases", label=_("Approval form (PDF)"), view_caps=_VIEW
)
def tekun_approval_form(case, *, actor) -> Document:
    person = case.person
    allowance = _tekun_allowance(case)
    return Document(
        title="特困人员救助供养审批表",
        number=f"特困〔{case.created_at:%Y}〕{case.pk}号",
        file_name=f"特困审批表-{case.pk}",
        blocks=[
            Fields(
                [
                    ("姓名", person.name),
                    ("身份证号", mask_id_number(person.id_number)),
                    ("性别", person.get_sex_display()),
                    ("出生日期", f"{person.birth_date:%Y-%m-%d}" if person.birth_date else "—"),
                    ("户籍所在地", person.division.full_name if person.division_id else "—"),
                    ("城乡类别", case.get_area_type_display()),
                    ("生活自理能力", case.get_care_level_display()),
                    (
                        "供养方式",
                        case.get_placement_display() + (f"（{case.institution}）" if case.institution else ""),
                    ),
                    ("基本生活标准", f"{allowance.result.basic} 元/月" if allowance else "—"),
                    ("照料护理标准", f"{allowance.result.care} 元/月" if allowance else "—"),
                    ("月供养金额", f"{allowance.amount} 元" if allowance else "—"),
                    ("起始月份", f"{case.start_month:%Y-%m}" if case.start_month else "—"),
                ],
                wide=frozenset({"户籍所在地"}),
            ),
            *_opinions(case, first_label="社区（村）初审意见"),
        ],
        signatures=["申请人（签字）", "经办人（签字）"],
        seal="审批机关（盖章）",
        dated=_day(case.approved_at) or timezone.localdate(),
        footnote="身份证号已隐去中间位，核对时请查验原件。",
    )


@register_document(
    TekunCase,
    "decision",
    collection="tekun-cases",
    label=_("Decision notice (PDF)"),
    view_caps=_VIEW,
    available=_decided,
)
def tekun_decision(case, *, actor) -> Document:
    person = case.person
    if case.status == CaseStatus.REJECTED:
        title = "特困人员救助供养不予确认通知书"
        text = [
            f"{person.name}于{chinese_date(_day(case.created_at))}提出的特困人员救助供养申请，经调查核实、审核审批，"
            f"决定不予确认。理由：{_reason(case)}",
            "如对本决定不服，可自收到本通知书之日起六十日内申请行政复议，或者在六个月内依法提起行政诉讼。",
        ]
        dated = _day(_steps(case)["reject"].at) if "reject" in _steps(case) else timezone.localdate()
    else:
        allowance = _tekun_allowance(case)
        start = f"{case.start_month:%Y年%-m月}" if case.start_month else "—"
        title = "特困人员救助供养确认通知书"
        text = [
            f"{person.name}于{chinese_date(_day(case.created_at))}提出的特困人员救助供养申请，经调查核实、审核审批，"
            f"确认符合特困人员救助供养条件，供养方式为{case.get_placement_display()}，"
            f"自{start}起每月发放救助供养金 {allowance.amount if allowance else '—'} 元。",
        ]
        dated = _day(case.approved_at) or timezone.localdate()
    return Document(
        title=title,
        number=f"特困决〔{case.created_at:%Y}〕{case.pk}号",
        recipient=person.name,
        file_name=f"{title}-{case.pk}",
        blocks=[Paragraph(t) for t in text],
        seal="（盖章）",
        dated=dated,
    )


def _claim_decided(claim) -> bool:
    return claim.status in (ClaimStatus.APPROVED, ClaimStatus.REJECTED)


@register_document(
    TemporaryReliefClaim,
    "approval-form",
    collection="temporary-relief-claims",
    label=_("Approval form (PDF)"),
    view_caps=_VIEW,
)
def claim_approval_form(claim, *, actor) -> Document:
    household = claim.household
    steps = _steps(claim)
    decision = steps.get("approve") or steps.get("reject")
    opened = steps.get("open") or steps.get("submit")
    return Document(
        title="临时救助审批表",
        number=f"临救〔{claim.created_at:%Y}〕{claim.pk}号",
        file_name=f"临时救助审批表-{claim.pk}",
        blocks=[
            Fields(
                [
                    ("户主姓名", household.head.name),
                    ("身份证号", mask_id_number(household.head.id_number)),
                    ("所在社区", household.community.full_name),
                    ("家庭人口", f"{household.members.count()} 人"),
                    ("家庭住址", household.address),
                    ("救助类型", claim.get_kind_display()),
                    ("申请金额", f"{claim.amount} 元"),
                    ("绿色通道", "是（先行救助，补齐手续）" if claim.green_channel else "否"),
                    ("审批金额", f"{claim.granted_amount} 元" if claim.status == ClaimStatus.APPROVED else "—"),
                    ("申请事由", claim.reason),
                ],
                wide=frozenset({"所在社区", "家庭住址", "申请事由"}),
            ),
            Opinion(
                "经办意见",
                (opened.note if opened and opened.note else "情况属实，建议给予临时救助。"),
                signer=str(opened.actor) if opened else str(claim.created_by),
                dated=_day(opened.at) if opened else _day(claim.created_at),
            ),
            Opinion(
                "审批意见",
                (("同意。" if decision.action == "approve" else "不同意。") + (decision.note or ""))
                if decision
                else "",
                signer=str(decision.actor) if decision else "",
                dated=_day(decision.at) if decision else None,
                seal=True,
            ),
        ],
        signatures=["申请人（签字）", "经办人（签字）"],
        seal="审批机关（盖章）",
        dated=_day(claim.approved_at) or timezone.localdate(),
        footnote="身份证号已隐去中间位，核对时请查验原件。",
    )


@register_document(
    TemporaryReliefClaim,
    "decision",
    collection="temporary-relief-claims",
    label=_("Decision notice (PDF)"),
    view_caps=_VIEW,
    available=_claim_decided,
)
def claim_decision(claim, *, actor) -> Document:
    household = claim.household
    submitted = chinese_date(_day(claim.created_at))
    if claim.status == ClaimStatus.REJECTED:
        title = "临时救助不予批准通知书"
        text = [
            f"你户（户主{household.head.name}）于{submitted}提出的临时救助申请（申请金额 {claim.amount} 元），"
            f"经审核审批，决定不予批准。理由：{_reason(claim)}",
            "如对本决定不服，可自收到本通知书之日起六十日内申请行政复议，或者在六个月内依法提起行政诉讼。",
        ]
        dated = _day(_steps(claim)["reject"].at) if "reject" in _steps(claim) else timezone.localdate()
    else:
        title = "临时救助批准通知书"
        text = [
            f"你户（户主{household.head.name}）于{submitted}提出的临时救助申请，经审核审批，"
            f"决定给予临时救助金 {claim.granted_amount} 元，通过银行转账一次性发放（紧急情况下以现金发放并出具收据）。",
        ]
        dated = _day(claim.approved_at) or timezone.localdate()
    return Document(
        title=title,
        number=f"临救决〔{claim.created_at:%Y}〕{claim.pk}号",
        recipient=household.head.name,
        file_name=f"{title}-{claim.pk}",
        blocks=[Paragraph(t) for t in text],
        seal="（盖章）",
        dated=dated,
    )


@register_document(
    TemporaryReliefClaim,
    "cash-receipt",
    collection="temporary-relief-claims",
    label=_("Cash receipt (PDF)"),
    view_caps=_VIEW,
    available=lambda claim: claim.paid_in_cash_at is not None,
)
def claim_cash_receipt(claim, *, actor) -> Document:
    """The receipt of temporary relief paid in cash at the window (临时救助金现金发放收据), signed by the recipient."""
    household = claim.household
    paid_on = _day(claim.paid_in_cash_at)
    return Document(
        title="临时救助金现金发放收据",
        number=claim.cash_receipt_number,
        recipient=household.head.name,
        file_name=f"临时救助现金收据-{claim.pk}",
        blocks=[
            Fields(
                [
                    ("户主姓名", household.head.name),
                    ("身份证号", mask_id_number(household.head.id_number)),
                    ("所在社区", household.community.full_name),
                    ("批准文号", f"临救决〔{claim.created_at:%Y}〕{claim.pk}号"),
                    ("救助类型", claim.get_kind_display()),
                    ("发放金额", f"{claim.granted_amount} 元"),
                    ("发放方式", "现金（窗口当场发放）"),
                    ("发放日期", f"{paid_on:%Y-%m-%d}" if paid_on else "—"),
                    ("领款人", claim.cash_recipient),
                    ("经办人", str(claim.paid_in_cash_by) if claim.paid_in_cash_by_id else "—"),
                ],
                wide=frozenset({"所在社区"}),
            ),
            Paragraph(
                f"今收到临时救助金人民币 {claim.granted_amount} 元（现金）。"
                "本笔救助金已以现金足额发放，不再通过银行转账重复发放。"
            ),
        ],
        signatures=["领款人（签字）", "经办人（签字）"],
        seal="街道（镇）社会救助窗口（盖章）",
        dated=paid_on or timezone.localdate(),
        footnote="身份证号已隐去中间位。收据一式两联：一联交领款人，一联随案存档。",
    )


@register_community_document("public-notice")
def public_notice(community, *, actor) -> Document:
    """The community's dibao public-notice list (最低生活保障对象公示): names as 张**, members, amounts."""
    from relief.selectors import community_notice_list

    today = timezone.localdate()
    # The same list as the page and GET public-notices/ (cases in their notice first, then the
    # standing list); this document is the dibao one.
    rows = [row for row in community_notice_list(user=actor, community=community.code) if row.scheme == "dibao"]
    total = sum((r.monthly_allowance or Decimal("0.00") for r in rows), start=Decimal("0.00"))
    return Document(
        title="最低生活保障对象公示",
        number=f"{today:%Y年%-m月}",
        file_name=f"低保公示-{community.code}-{today:%Y-%m}",
        blocks=[
            Paragraph(
                f"根据《社会救助暂行办法》和最低生活保障审核确认办法，现将{community.full_name}"
                f"享受最低生活保障的家庭予以公示（{today:%Y年%-m月}，共 {len(rows)} 户、"
                f"{sum(r.members_count for r in rows)} 人，月保障金额合计 {total} 元）。"
                "如有异议，请在公示期内向街道（镇）社会救助窗口或区（市）民政部门反映。"
            ),
            Table(
                ["序号", "户主", "保障人数", "月保障金额（元）", "公示截止"],
                [
                    [
                        str(index),
                        row.name,
                        str(row.members_count),
                        str(row.monthly_allowance) if row.monthly_allowance is not None else "—",
                        f"{row.notice_until:%Y-%m-%d}" if row.notice_until else "",
                    ]
                    for index, row in enumerate(rows, start=1)
                ],
                [1.2, 3, 2, 3, 2.6],
                numeric=frozenset({0, 2, 3}),
            ),
        ],
        seal="街道（镇）人民政府（盖章）",
        dated=today,
        footnote="公示内容仅含户主姓名（已隐去名字）、保障人数和保障金额，不含身份证号、住址和收入。",
    )
