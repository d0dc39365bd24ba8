"""Marriage's paper: the evidence a registration carries (attachments)."""

from core.roles import Cap
from documents.registry import register_attachable
from marriage.models import Registration, Status

register_attachable(
    Registration,
    collection="marriage-registrations",
    view_caps=[Cap.MARRIAGE_VIEW],
    attach_caps=[Cap.MARRIAGE_REGISTER],
    decided=lambda registration: registration.status != Status.COOLING_OFF,
    page="marriage:registration-detail",
)


# --- Printed documents (documents.render), in Chinese as the register issues them ----------------

from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from documents.printing import register_document  # noqa: E402
from documents.render import Document, Fields, Paragraph, chinese_date  # noqa: E402
from marriage.models import Kind  # noqa: E402

_TITLES = {Kind.MARRIAGE: "结婚登记证件信息", Kind.DIVORCE: "离婚登记证件信息", Kind.REISSUE: "补领婚姻登记证件信息"}


def _certified(registration) -> bool:
    return registration.status == Status.REGISTERED and bool(registration.certificate_number)


@register_document(
    Registration,
    "certificate",
    collection="marriage-registrations",
    label=_("Certificate data (PDF)"),
    view_caps=[Cap.MARRIAGE_VIEW],
    available=_certified,
)
def certificate(registration, *, actor) -> Document:
    """The data printed on the certificate (结婚证 / 离婚证). It must carry both parties' ID numbers in
    full — the certificate is the parties' proof of identity and status — so each printing is
    written to the reveal log for both numbers."""
    a, b = registration.party_a, registration.party_b

    def party(person, prefix):
        return [
            (f"{prefix}姓名", person.name),
            (f"{prefix}性别", person.get_sex_display()),
            (f"{prefix}出生日期", f"{person.birth_date:%Y-%m-%d}" if person.birth_date else "—"),
            (f"{prefix}身份证件号", person.id_number),
        ]

    return Document(
        title=_TITLES.get(registration.kind, "婚姻登记证件信息"),
        number=f"字号：{registration.certificate_number}",
        file_name=f"婚姻登记证件信息-{registration.certificate_number}",
        blocks=[
            Fields(
                [
                    ("持证人", f"{a.name}、{b.name}"),
                    ("登记日期", chinese_date(registration.registered_on)),
                    ("登记机关", registration.office.full_name),
                    ("证件字号", registration.certificate_number),
                    *party(a, "甲方"),
                    *party(b, "乙方"),
                ],
                wide=frozenset({"登记机关"}),
            ),
            Paragraph(
                "申请人自愿"
                + ("结婚" if registration.kind != Kind.DIVORCE else "离婚")
                + "，经审查符合《中华人民共和国民法典》的规定，予以登记，发给此证。"
            ),
        ],
        signatures=["婚姻登记员（签名）", "当事人甲（签名）", "当事人乙（签名）"],
        seal="婚姻登记专用章",
        dated=registration.registered_on or timezone.localdate(),
        reveals=[("people.Person", str(a.pk), "id_number"), ("people.Person", str(b.pk), "id_number")],
        footnote="证件须载明当事人身份证件号码全文（证件即身份与婚姻状况的凭证），本页每次打印均记入查看记录。",
    )
