"""The set-based SQL of data checking: beneficiaries × an extract, and the coverage gaps.

A cross-check is one ``INSERT … SELECT … JOIN … ON CONFLICT DO NOTHING`` per extract: the
extract's rows join the registry by ID number (``people_person.id_number`` is unique) and
the ongoing benefit cases by person; each person found becomes one review item, with the
benefits it would touch. The unique key (extract, person) makes a second pass add nothing;
an open item of the same source for the person also holds back a new one (a fresher
extract of a register that lists the same person each month adds no duplicate to the queue).
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from core.cases import CaseStatus
from datacheck.models import ExtractRow, ItemStatus, ReviewItem
from people.models import Person
from relief.models import DibaoCase, DibaoMember, TekunCase
from welfare.models import DisabilitySubsidyCase, OrphanCase

# An ongoing benefit: paying, or suspended and able to resume. Both stop on a death.
ONGOING = (CaseStatus.ACTIVE, CaseStatus.SUSPENDED)


def _ongoing() -> str:
    return ", ".join(f"'{s}'" for s in ONGOING)


def beneficiaries_sql() -> str:
    """``(person_id, benefit, case_id)`` for every ongoing benefit (codes of ``welfare.models.Benefit``)."""
    ongoing = _ongoing()
    return f"""
        SELECT dm.person_id, 'dibao'::text AS benefit, c.id AS case_id
        FROM {DibaoMember._meta.db_table} dm
        JOIN {DibaoCase._meta.db_table} c ON c.id = dm.case_id
        WHERE c.status IN ({ongoing})
        UNION ALL
        SELECT person_id, 'tekun', id FROM {TekunCase._meta.db_table} WHERE status IN ({ongoing})
        UNION ALL
        SELECT person_id, 'orphan', id FROM {OrphanCase._meta.db_table} WHERE status IN ({ongoing})
        UNION ALL
        SELECT person_id, 'disability_' || kind, id
        FROM {DisabilitySubsidyCase._meta.db_table} WHERE status IN ({ongoing})
    """  # noqa: S608 - table names from the models, fixed statuses


def count_beneficiaries() -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(DISTINCT person_id) FROM ({beneficiaries_sql()}) b")  # noqa: S608 - no user input
        return cur.fetchone()[0]


def match_extract(*, run_id: int | None, source_id: int, extract_id: int) -> int:
    """Make a review item for each ongoing beneficiary listed in the extract; the number made."""
    items, rows, people = ReviewItem._meta.db_table, ExtractRow._meta.db_table, Person._meta.db_table
    sql = f"""
        INSERT INTO {items} (run_id, source_id, extract_id, row_line, person_id, division_id, benefits,
                             event_date, detail, status, note, created_at)
        SELECT %(run)s, %(source)s, r.extract_id, r.line, p.id,
               CASE WHEN length(p.division_id) >= 9 THEN left(p.division_id, 9) ELSE p.division_id END,
               jsonb_agg(jsonb_build_object('benefit', b.benefit, 'case', b.case_id) ORDER BY b.benefit, b.case_id),
               r.event_date, r.detail, %(open)s, '', %(now)s
        FROM {rows} r
        JOIN {people} p ON p.id_number = r.id_number
        JOIN ({beneficiaries_sql()}) b ON b.person_id = p.id
        WHERE r.extract_id = %(extract)s
          AND NOT EXISTS (SELECT 1 FROM {items} o
                          WHERE o.person_id = p.id AND o.source_id = %(source)s
                            AND (o.status = %(open)s
                                 OR (o.status = %(dismissed)s AND o.event_date IS NOT DISTINCT FROM r.event_date
                                     AND o.detail = r.detail)))
        GROUP BY r.extract_id, r.line, r.event_date, r.detail, p.id
        ON CONFLICT (extract_id, person_id) DO NOTHING
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cur:
        params = {"run": run_id, "source": source_id, "extract": extract_id}
        cur.execute(sql, {**params, "open": ItemStatus.OPEN, "dismissed": ItemStatus.DISMISSED, "now": timezone.now()})
        return cur.rowcount
