"""The payout engine's side of a scheme: what a scheme must say, the SQL helpers it says it with, the registry.

A domain app owns how its benefit is paid (architecture.md, "Which way the arrows run"): the
SQL that selects a scheme's lines for a month lives beside its rules — ``relief/payable.py``
(dibao, tekun, the price-linked subsidy, temporary relief), ``welfare/payable.py`` (orphans,
the two disability subsidies) — and registers with ``register`` from its app's ``ready``.
``payouts/`` knows runs, lines, bank files and the engine; it asks the registered schemes.

A scheme says two things, and the engine (``payouts/engine.py``) does the rest:

* ``plan(period)``: what is frozen when a run starts computing — the rates in force that
  month for every division, and one or more *passes*, each an id range of a driving table. A
  standard missing where a payable case needs it raises ``MissingStandards`` naming scheme,
  area, division and month.
* ``chunk_sql(plan, pass, lo, hi)``: one ``SELECT`` producing the lines of the driving rows
  with ids in ``[lo, hi)``, each with a JSON snapshot of what produced its amount.

The engine wraps that ``SELECT`` in an ``INSERT`` under ``UNIQUE (period, scheme,
beneficiary)`` (``UNIQUE (source_id)`` for a per-case scheme): running a chunk twice writes
nothing the second time (``engine.insert_chunk``). ``may_overlap`` says which passes select
people an earlier pass may already have paid.

Every selection checks eligibility again when it pays, whatever the nightly jobs did: nobody
dead before the month is paid for it (benefits end from the month after the death).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from core.cases import month_str
from core.models import Division
from payouts.models import PayoutScheme

AREAS = ("urban", "rural")
LINE_COLUMNS = ", ".join(
    [
        "run_id",
        "scheme",
        "period",
        "beneficiary_id",
        "household_id",
        "source_id",
        "division_id",
        "amount",
        "status",
        "snapshot",
        "replaces_id",
    ]
)


class MissingStandards(Exception):
    """Standards a payable case needs are not in force for the month (the run fails, saying which)."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass(frozen=True)
class Pass:
    name: str
    table: str  # the driving table: chunks follow its id
    low: int
    high: int  # exclusive

    def as_json(self) -> dict:
        return {"name": self.name, "table": self.table, "low": self.low, "high": self.high}


def _sql(qs) -> tuple[str, list]:
    sql, params = qs.query.sql_with_params()
    return sql, list(params)


def _bounds(qs) -> tuple[int, int] | None:
    """The id range ``[first, last + 1)`` of a queryset, or ``None`` when it is empty.

    Two walks along the primary key, from either end, each stopping at the first row that
    qualifies: ``min``/``max`` over a filter that joins another table would read every row
    (0.7 s for the nursing subsidy at 890,000 cases, where the walks take milliseconds).
    """
    ids = qs.values_list("id", flat=True)
    first = ids.order_by("id").first()
    if first is None:
        return None
    return first, ids.order_by("-id").first() + 1


def _division_codes() -> list[str]:
    return list(Division.objects.order_by("code").values_list("code", flat=True))


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _area_label(area: str) -> str:
    return _("urban areas") if area == "urban" else _("rural areas")


def _division_label(code: str, names: dict[str, str]) -> str:
    return f"{names.get(code, code)} ({code})"


def _missing_message(label: str, month: datetime.date, pairs: list[tuple[str, str]]) -> list[str]:
    """“No dibao standard in force in 2020-04 for rural areas of 平度市 (370283)”, per district, at most ten.

    ``label``: the standard's name (the scheme's own app knows it)."""
    names = dict(Division.objects.filter(code__in={c for c, _a in pairs}).values_list("code", "name"))
    out = []
    for code, area in sorted(pairs)[:10]:
        out.append(
            _("No %(scheme)s standard is in force in %(month)s for %(area)s of %(division)s.")
            % {
                "scheme": label,
                "month": month_str(month),
                "area": _area_label(area) if area in AREAS else _("all areas"),
                "division": _division_label(code, names),
            }
        )
    if len(pairs) > 10:
        out.append(_("… and %(n)d more divisions.") % {"n": len(pairs) - 10})
    return out


def _districts_of(pairs: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Collapse (community, area) pairs to (district, area) for a readable message."""
    return sorted({(code[:6], area) for code, area in pairs})


def _unnest(columns: list[tuple[str, str]], rows: list[list], key: tuple[str, ...]) -> tuple[str, list]:
    """The rates as a table ``r``, one array parameter per column, with ``r.k`` = the key columns joined by ``|``.

    Lines join their rate on that one composite key (``r.k = division || '|' || area …``): a
    single hashable equality, whatever tables the parts come from, so the planner cannot
    split it into a cross product on the other parts.
    """
    types = ", ".join(f"%s::{sqltype}[]" for _name, sqltype in columns)
    names = ", ".join(name for name, _t in columns)
    k = " || '|' || ".join(f"u.{name}" for name in key)
    arrays = [[row[i] for row in rows] for i in range(len(columns))]
    return f'(SELECT u.*, ({k}) COLLATE "C" AS k FROM unnest({types}) AS u({names})) r', arrays  # noqa: S608 - column names from this module


def _key(*parts: str) -> str:
    """The line side of a rate join: ``a || '|' || b`` (in the "C" collation of division codes)."""
    return "(" + " || '|' || ".join(f"({p})::text" for p in parts) + ') COLLATE "C"'


def json_object(fields: list[tuple[str, str]], *, head: str | None = None) -> str:
    """SQL that writes a JSON object as text from ``(key, value)`` pairs, each value SQL giving JSON text.

    Cheaper per row than ``jsonb_build_object`` by a factor of five at millions of lines, and
    it keeps amounts exactly as written (``880.00``). Keys are fixed names; values go
    through ``num``/``text`` below, so every string is escaped by ``to_json``.

    ``head``: SQL giving the object's opening written beforehand (``json_head``), typically
    the rate's own column: what every line of one rate shares is then written once per rate
    in Python, not once per line in SQL, and a line adds only its own facts.
    """
    sql = [] if head is None else [head]
    for index, (key, value) in enumerate(fields):
        sql.append("'" + ("{" if index == 0 and head is None else ",") + f'"{key}":' + "'")
        sql.append(value)
    sql.append("'}'")
    return "(" + " || ".join(sql) + ")"


def json_head(fields: list[tuple[str, str]]) -> str:
    """The opening of a JSON object (no closing brace), from ``(key, JSON text)`` pairs made by ``jnum``/``jtext``.

    The text is what ``json_object`` would write in SQL for the same values, to the byte.
    """
    return "{" + ",".join(f'"{key}":{value}' for key, value in fields)


def jnum(value) -> str:
    """A number known here (a Decimal, int or the plan's decimal string), or ``null``, as JSON text."""
    if value is None:
        return "null"
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError(value)
    return str(number)


def jtext(value) -> str:
    """A string, ISO date or boolean known here, or ``null``, as JSON text (as ``to_json`` writes it)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _rates(columns, rows: list[list], key: tuple[str, ...], snapshot, *, whole: bool) -> tuple[str, list]:
    """The plan's rates as the table ``r`` (``_unnest``), each with what its lines' snapshots share.

    ``snapshot(row)`` gives the ``(key, JSON text)`` pairs a rate decides. ``whole``: they are
    the whole snapshot, ``r.snapshot``, a ``json`` value PostgreSQL checks once per rate instead
    of parsing it once per line; otherwise they open it, ``r.head``, and each line adds its own
    facts with ``json_object(…, head="r.head")``.
    """
    column = ("snapshot", "json") if whole else ("head", "text")
    rows = [[*row, json_head(snapshot(row)) + ("}" if whole else "")] for row in rows]
    return _unnest([*columns, column], rows, key)


def fmt(value) -> str:
    """A snapshot's number as a line's explanation shows it (money with two places)."""
    from core.money import money_str

    if value is None:
        return "—"
    if isinstance(value, int | float | Decimal):
        return money_str(Decimal(str(value))) if not isinstance(value, int) else str(value)
    return str(value)


def num(expr: str) -> str:
    """A number (or ``null``) as JSON text."""
    return f"COALESCE(({expr})::text, 'null')"


def text(expr: str) -> str:
    """A string, date or boolean (or ``null``) as JSON text, escaped by ``to_json``."""
    return f"COALESCE(to_json({expr})::text, 'null')"


class PayoutSchemeBase:
    code: str = ""
    recurring = True  # created every month by the schedule

    @property
    def label(self) -> str:
        return str(PayoutScheme(self.code).label)

    def available(self) -> bool:
        return True

    def unavailable_reason(self) -> str:
        return ""

    def plan(self, period: datetime.date) -> dict:
        raise NotImplementedError

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        raise NotImplementedError

    def may_overlap(self, plan: dict, pass_index: int) -> bool:
        """Whether the pass may select people already paid this month by an earlier pass (then skipped)."""
        return False

    def check_period(self, period: datetime.date) -> None:
        """Refuse (``Conflict``) a run that cannot exist for this month."""

    def line_flags(self, lines) -> dict[int, list[str]]:
        """What a run's page should point out on some of its lines (``{line id: [text, …]}``)."""
        return {}

    def explain(self, snapshot: dict) -> str:
        """A line's amount in words, from the snapshot this scheme wrote."""
        return ""

    def case_model(self):
        """The model whose rows are this scheme's cases (with status, start and end month), or None."""
        return None


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _needed_pairs(pairs_qs, missing: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the ``missing`` (division, area) pairs a payable case actually needs."""
    return {(code, area) for code, area in pairs_qs if (code, area) in missing}


class CoveredGroupRows:
    """Who a covered group of the price subsidy is, in a month: (person, household, case, division, area)."""

    group: str = ""
    table: str = ""

    def case_model(self):
        return None

    def available(self) -> bool:
        return True

    def cases(self, period: datetime.date):
        raise NotImplementedError

    def bounds(self, period: datetime.date) -> tuple[int, int] | None:
        return _bounds(self.cases(period))

    def area_pairs(self, period: datetime.date) -> set[tuple[str, str]]:
        """The (division, urban/rural) pairs the group's people need a rate for."""
        bounds = self.bounds(period)
        if bounds is None:
            return set()
        rows_sql, params = self.rows_sql(period, *bounds)
        with connection.cursor() as cur:
            cur.execute(f"SELECT DISTINCT division_id, area_type FROM ({rows_sql}) g", params)  # noqa: S608
            return set(cur.fetchall())

    def rows_sql(self, period: datetime.date, lo: int, hi: int) -> tuple[str, list]:
        raise NotImplementedError


# --- Follow-up runs: re-pay failed lines whose account has been corrected ----------------------------


class FollowUpPlan:
    """Not a scheme of its own: a follow-up run of any scheme copies the eligible failed lines.

    The plan freezes the failed lines' ids (chosen by ``selectors.repayable_lines``); the
    copy keeps the amount and snapshot and points back at the line it re-pays.
    """

    def may_overlap(self, plan: dict, pass_index: int) -> bool:
        return False

    def chunk_sql(self, plan: dict, pass_name: str, lo: int, hi: int) -> tuple[str, list]:
        sql = """
        SELECT %s, f.scheme, f.period, f.beneficiary_id, f.household_id, f.source_id, f.division_id, f.amount,
               'pending', (left(f.snapshot::text, -1) || ',"re_pays":' || f.id || '}')::json, f.id
        FROM payouts_payoutline f
        WHERE f.id = ANY(%s) AND f.id >= %s AND f.id < %s AND f.status = 'failed'
        """
        return sql, [plan["run"], plan["lines"], lo, hi]


FOLLOW_UP = FollowUpPlan()

# --- The registries: filled by the domain apps (their AppConfig.ready) ---------------------------------

SCHEMES: dict[str, PayoutSchemeBase] = {}
COVERED_GROUPS: dict[str, CoveredGroupRows] = {}
_ORDER = {code: index for index, code in enumerate(PayoutScheme.values)}


def register(scheme: PayoutSchemeBase) -> None:
    """A domain app's payable scheme (listed in ``PayoutScheme``'s order, whichever app registers first)."""
    SCHEMES[scheme.code] = scheme
    ordered = sorted(SCHEMES.items(), key=lambda item: _ORDER.get(item[0], len(_ORDER)))
    SCHEMES.clear()
    SCHEMES.update(ordered)


def register_covered_group(rows: CoveredGroupRows) -> None:
    COVERED_GROUPS[rows.group] = rows


def scheme_for(code: str) -> PayoutSchemeBase:
    return SCHEMES[code]


def recurring_schemes() -> list[PayoutSchemeBase]:
    return [s for s in SCHEMES.values() if s.recurring and s.available()]
