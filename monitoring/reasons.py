"""What raised a warning, in plain words, in the reader's language (from its kind and the facts kept with it)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import money, money_str


def _scheme_label(token: str) -> str:
    from payouts.models import PayoutScheme

    try:
        return str(PayoutScheme(token).label)
    except ValueError:
        return token


def _payment_failed(warning, facts: dict) -> str:
    return _("Payments of %(scheme)s failed in %(months)s: the bank account or the payee needs checking.") % {
        "scheme": _scheme_label(facts.get("scheme", "")),
        "months": "、".join(facts.get("months", [])),
    }


def _refused(warning, facts: dict) -> str:
    values = {
        "date": facts.get("refused_on", ""),
        "income": facts.get("per_capita", ""),
        "standard": facts.get("standard", ""),
    }
    if facts.get("scheme") == "tekun":
        return (
            _(
                "The tekun application was refused on %(date)s, but the household's per-capita income %(income)s "
                "is at most 1.5 times the dibao standard %(standard)s."
            )
            % values
        )
    return (
        _(
            "The application was refused on %(date)s, but the household's per-capita income %(income)s "
            "is at most 1.5 times the dibao standard %(standard)s."
        )
        % values
    )


def _expenditure(warning, facts: dict) -> str:
    try:
        members = int(facts["members"])
        income, rigid = Decimal(facts["income"]), Decimal(facts["rigid"])
        before, after = money(income / members), money((income - rigid) / members)
    except (KeyError, ValueError, ArithmeticError):
        return str(warning.get_kind_display())
    return _(
        "Rigid expenses of %(month)s (%(rigid)s) bring the household's per-capita income from %(before)s to "
        "%(after)s, under the dibao standard %(standard)s; the household is not covered."
    ) % {
        "month": facts.get("month", ""),
        "rigid": money_str(rigid),
        "before": money_str(before),
        "after": money_str(after),
        "standard": facts.get("standard", ""),
    }


def _not_visited(warning, facts: dict) -> str:
    if facts.get("last_visited_on"):
        return _("Last visited on %(day)s: the next visit is overdue.") % {"day": facts["last_visited_on"]}
    return _("Not visited since joining the left-behind elderly register.")


def _reported(warning, facts: dict) -> str:
    text = _("%(kind)s: reported by %(source)s") % {
        "kind": warning.get_kind_display(),
        "source": facts.get("source", ""),
    }
    if warning.event_date:
        text += _(", on %(date)s") % {"date": warning.event_date.isoformat()}
    if warning.amount is not None:
        text += _(", amount %(amount)s") % {"amount": money_str(warning.amount)}
    if facts.get("detail"):
        text += f" ({facts['detail']})"
    return text + _(".")


_BY_KIND = {
    "payment_failed": _payment_failed,
    "refused_application": _refused,
    "expenditure": _expenditure,
    "not_visited": _not_visited,
}


def reason_of(warning) -> str:
    """Each kind's own words; another department's report (a risk extract's row) otherwise."""
    return _BY_KIND.get(warning.kind, _reported)(warning, warning.facts or {})
