"""What raised a warning, in plain words, in the reader's language (from its kind and the facts kept with it)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.money import money_str


def _scheme_label(token: str) -> str:
    from payouts.models import PayoutScheme

    try:
        return str(PayoutScheme(token).label)
    except ValueError:
        return token


def reason_of(warning) -> str:
    facts = warning.facts or {}
    kind = warning.get_kind_display()
    if warning.kind == "payment_failed":
        return _("Payments of %(scheme)s failed in %(months)s: the bank account or the payee needs checking.") % {
            "scheme": _scheme_label(facts.get("scheme", "")),
            "months": "、".join(facts.get("months", [])),
        }
    if warning.kind == "refused_application":
        return _(
            "The application was refused on %(date)s, but the household's per-capita income %(income)s "
            "is at most 1.5 times the dibao standard %(standard)s."
        ) % {
            "date": facts.get("refused_on", ""),
            "income": facts.get("per_capita", ""),
            "standard": facts.get("standard", ""),
        }
    if warning.kind == "not_visited":
        if facts.get("last_visited_on"):
            return _("Last visited on %(day)s: the next visit is overdue.") % {"day": facts["last_visited_on"]}
        return _("Not visited since joining the left-behind elderly register.")
    text = _("%(kind)s: reported by %(source)s") % {"kind": kind, "source": facts.get("source", "")}
    if warning.event_date:
        text += _(", on %(date)s") % {"date": warning.event_date.isoformat()}
    if warning.amount is not None:
        text += _(", amount %(amount)s") % {"amount": money_str(warning.amount)}
    if facts.get("detail"):
        text += f" ({facts['detail']})"
    return text + _(".")
