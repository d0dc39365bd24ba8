"""The registry's paper: the evidence an organization's registration carries (attachments)."""

from core.roles import Cap
from documents.registry import register_attachable
from social_orgs.models import SocialOrg

register_attachable(
    SocialOrg,
    collection="social-orgs",
    view_caps=[Cap.SOCIALORG_VIEW],
    attach_caps=[Cap.SOCIALORG_EDIT],
    decided=lambda org: True,  # a registered organization is a decision: its files are kept, only replaced
    page="social_orgs:org-detail",
)


# --- Printed documents (documents.render), in Chinese as the registry issues them ---------------

from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from documents.printing import register_document  # noqa: E402
from documents.render import Document, Fields, chinese_date  # noqa: E402
from social_orgs.models import OrgStatus  # noqa: E402


@register_document(
    SocialOrg,
    "certificate",
    collection="social-orgs",
    label=_("Registration certificate (PDF)"),
    view_caps=[Cap.SOCIALORG_VIEW],
    available=lambda org: org.status == OrgStatus.REGISTERED,
)
def certificate(org, *, actor) -> Document:
    """The registration certificate (社会团体法人登记证书 …). The unified social credit code is the
    organization's public identifier, printed in full; no personal number appears."""
    titles = {"group": "社会团体法人登记证书", "foundation": "基金会法人登记证书"}
    title = titles.get(org.org_type, "民办非企业单位（社会服务机构）登记证书")
    return Document(
        title=title,
        number=f"统一社会信用代码：{org.credit_code}",
        file_name=f"{title}-{org.credit_code}",
        blocks=[
            Fields(
                [
                    ("名称", org.name),
                    ("统一社会信用代码", org.credit_code),
                    ("类型", org.get_org_type_display()),
                    ("法定代表人", org.legal_representative),
                    ("业务主管单位", org.supervising_unit or "—"),
                    ("登记管理机关", org.division.full_name),
                    ("住所", org.address or "—"),
                    ("注册资金", f"{org.registered_capital} 万元" if org.registered_capital is not None else "—"),
                    ("业务范围", org.business_scope or "—"),
                    ("成立登记日期", chinese_date(org.founded_on)),
                ],
                wide=frozenset({"名称", "住所", "业务范围", "登记管理机关"}),
            ),
        ],
        seal="登记管理机关（盖章）",
        dated=org.founded_on or timezone.localdate(),
        issuer=org.division.full_name if org.division_id else "",
    )
