"""Place names' paper: the evidence a naming application carries (attachments)."""

from core.roles import Cap
from documents.registry import register_attachable
from placenames.models import ApplicationStatus, NamingApplication

_DECIDED = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.PUBLISHED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)

register_attachable(
    NamingApplication,
    collection="road-naming-applications",
    view_caps=[Cap.PLACENAME_VIEW],
    attach_caps=[Cap.PLACENAME_EDIT],
    decided=lambda application: application.status in _DECIDED,
    page="placenames:application-detail",
)


# --- Printed documents (documents.render), in Chinese as the bureau issues them -----------------

from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from documents.printing import register_document  # noqa: E402
from documents.render import Document, Fields, Paragraph  # noqa: E402


@register_document(
    NamingApplication,
    "approval",
    collection="road-naming-applications",
    label=_("Naming approval (PDF)"),
    view_caps=[Cap.PLACENAME_VIEW],
    available=lambda application: application.status in (ApplicationStatus.APPROVED, ApplicationStatus.PUBLISHED),
)
def approval(application, *, actor) -> Document:
    """The road-naming approval (道路命名批复). No personal numbers."""
    return Document(
        title="关于道路命名的批复",
        number=application.approval_document or f"地名〔{application.created_at:%Y}〕{application.pk}号",
        recipient=application.applicant or application.district.name,
        file_name=f"道路命名批复-{application.proposed_name}",
        blocks=[
            Paragraph(
                "你单位关于道路命名的申请收悉。经专家论证、社会公示"
                + (
                    f"（{application.notice_from:%Y年%-m月%-d日}至{application.notice_until:%Y年%-m月%-d日}）"
                    if application.notice_from and application.notice_until
                    else ""
                )
                + f"，根据《地名管理条例》，同意将位于{application.district.full_name}的道路"
                + f"命名为“{application.proposed_name}”。"
            ),
            Fields(
                [
                    ("标准名称", application.proposed_name),
                    ("汉语拼音", application.pinyin),
                    ("道路类别", application.get_road_type_display()),
                    ("所在区（市）", application.district.full_name),
                    ("起点", application.start_point or "—"),
                    ("止点", application.end_point or "—"),
                    ("长度", f"{application.length_m} 米" if application.length_m else "—"),
                    ("批准日期", f"{application.approved_on:%Y-%m-%d}" if application.approved_on else "—"),
                    ("名称含义", application.meaning or "—"),
                ],
                wide=frozenset({"名称含义", "所在区（市）"}),
            ),
            Paragraph("请按标准名称设置地名标志，并在公文、地图、门牌及各类标识中规范使用。"),
        ],
        seal="（盖章）",
        dated=application.approved_on or timezone.localdate(),
    )
