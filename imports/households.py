"""Kind ``households``: one row per person; rows sharing ``household_ref`` form one household.

Columns (api.md): ``id_number`` 公民身份号码, ``name`` 姓名, ``community`` 社区代码,
``address`` 住址, ``area_type`` 城乡类别, ``household_ref`` 户编号, ``relationship`` 与户主关系.
The head of a household is its row whose relationship is ``head`` (户主).

A person already registered (same ID number) is updated (name, and their geography follows the
household's community); a new one is registered. A household whose members already live
together in one household with the same head updates that household (address, community,
urban/rural; members not yet in it are added); otherwise a new household is created.

Refused rows (the report names each line and why): a bad ID number (check character, date,
format), a missing name or address, an unknown community code, a community or a registered
person outside the uploader's geography, the same ID number twice in the file, a household
with no head or two, members of one household disagreeing on its community, address or
urban/rural, and a member who already belongs to another household.
"""

from __future__ import annotations

import datetime
import json
import zlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.idnumbers import parse_id_number
from core.models import Division, DivisionLevel
from core.scoping import scope_prefix
from imports.kinds import (
    Changed,
    Column,
    Kind,
    Report,
    chunks,
    copy_rows,
    execute,
    fetch,
    report_refused_text,
    returning,
)
from people.models import AreaType, Relationship

AREA_TYPES = {
    "urban": AreaType.URBAN,
    "rural": AreaType.RURAL,
    "城镇": AreaType.URBAN,
    "城市": AreaType.URBAN,
    "城": AreaType.URBAN,
    "农村": AreaType.RURAL,
    "乡村": AreaType.RURAL,
    "农": AreaType.RURAL,
}
RELATIONSHIPS = {v: v for v in Relationship.values} | {
    "户主": Relationship.HEAD,
    "本人": Relationship.HEAD,
    "配偶": Relationship.SPOUSE,
    "妻": Relationship.SPOUSE,
    "夫": Relationship.SPOUSE,
    "子女": Relationship.CHILD,
    "子": Relationship.CHILD,
    "女": Relationship.CHILD,
    "父母": Relationship.PARENT,
    "父亲": Relationship.PARENT,
    "母亲": Relationship.PARENT,
    "祖父母": Relationship.GRANDPARENT,
    "外祖父母": Relationship.GRANDPARENT,
    "孙子女": Relationship.GRANDCHILD,
    "外孙子女": Relationship.GRANDCHILD,
    "兄弟姐妹": Relationship.SIBLING,
    "其他": Relationship.OTHER,
}
MAX_REF = 50


@dataclass(slots=True)
class Row:
    line: int
    id_number: str
    name: str
    sex: str
    birth_date: object
    community: str
    address: str
    area_type: str
    ref: str
    relationship: str
    person_id: int | None = None


@dataclass(slots=True)
class Group:
    ref: str
    rows: list
    household_id: int | None = None  # an existing household to update


class HouseholdsKind(Kind):
    key = "households"
    label = gettext_lazy("Households and members")
    description = gettext_lazy(
        "One row per person. Rows with the same household number form one household; its head is the row "
        "whose relationship is 户主 (head)."
    )
    columns = [
        Column("id_number", "公民身份号码", example="370202199001011237", help=gettext_lazy("18 characters")),
        Column("name", "姓名", example="王芳", is_name=True),
        Column("community", "社区代码", example="370202001001", help=gettext_lazy("12-digit community code")),
        Column("address", "住址", example="市南区八大峡路1号"),
        Column("area_type", "城乡类别", example="城镇", help=gettext_lazy("城镇 (urban) or 农村 (rural)")),
        Column("household_ref", "户编号", example="H0001", help=gettext_lazy("any key shared by one household's rows")),
        Column(
            "relationship",
            "与户主关系",
            example="户主",
            help=gettext_lazy("户主, 配偶, 子女, 父母, 祖父母, 孙子女, 兄弟姐妹, 其他 (or head, spouse, child, …)"),
        ),
    ]

    # --- validate --------------------------------------------------------------------------------

    def validate(self, *, actor, rows, progress) -> Report:
        report = Report()
        prefix = scope_prefix(actor) or "\x00"
        communities = set(
            Division.objects.filter(level=DivisionLevel.COMMUNITY, active=True).values_list("code", flat=True)
        )
        first_line: dict[str, int] = {}
        groups: dict[str, Group] = {}
        good: list[Row] = []
        today = timezone.localdate()
        for count, (line, cells) in enumerate(rows, start=1):
            report.rows += 1
            if count % 20_000 == 0:
                progress(min(0.8, count / 300_000))
            before = report.error_count
            report_refused_text(report, line, cells)
            row = self._row(report, line, cells, first_line, today)
            self._check_place(report, row, communities, prefix)
            if row.ref:
                group = groups.get(row.ref)
                if group is None:
                    groups[row.ref] = Group(row.ref, [row])
                else:
                    group.rows.append(row)
            if report.error_count == before:
                good.append(row)
        progress(0.8)
        self._check_groups(report, groups)
        self._check_database(report, actor, prefix, good, groups)
        progress(0.95)
        return self._finish(report, good, groups)

    @staticmethod
    def _row(report: Report, line: int, cells: dict, first_line: dict[str, int], today) -> Row:
        """The row's person and membership, each bad value reported."""
        error = report.error
        raw_id = cells.get("id_number", "").upper().replace(" ", "")
        try:
            resident = parse_id_number(raw_id, today=today)
        except ValidationError as exc:
            error(line, "id_number", exc.messages[0])
            resident = None
        if resident is not None:
            seen = first_line.setdefault(resident.number, line)
            if seen != line:
                error(line, "id_number", _("The same ID number is already on line %(n)d.") % {"n": seen})
        name = cells.get("name", "")
        if not name:
            error(line, "name", _("Please enter the name."))
        elif len(name) > 50:
            error(line, "name", _("At most %(limit)d characters.") % {"limit": 50})
        ref = cells.get("household_ref", "")
        if not ref:
            error(line, "household_ref", _("Give the household number this person belongs to."))
        elif len(ref) > MAX_REF:
            error(line, "household_ref", _("At most %(limit)d characters.") % {"limit": MAX_REF})
        rel_text = cells.get("relationship", "")
        relationship = RELATIONSHIPS.get(rel_text) or RELATIONSHIPS.get(rel_text.lower())
        if relationship is None:
            error(line, "relationship", _("Unknown relationship “%(value)s”.") % {"value": rel_text[:20]})
        return Row(
            line,
            resident.number if resident else raw_id,
            name,
            resident.sex if resident else "",
            resident.birth_date if resident else None,
            cells.get("community", ""),
            cells.get("address", ""),
            cells.get("area_type", ""),
            ref,
            relationship or rel_text,
        )

    @staticmethod
    def _check_place(report: Report, row: Row, communities: set[str], prefix: str) -> None:
        """The household's community (known, inside the uploader's area), address and urban/rural."""
        error, line = report.error, row.line
        if row.community not in communities:
            error(line, "community", _("Unknown community code “%(code)s”.") % {"code": row.community[:20]})
        elif not row.community.startswith(prefix):
            error(line, "community", _("Community %(code)s is outside your area.") % {"code": row.community})
        if not row.address:
            error(line, "address", _("Please enter the address."))
        elif len(row.address) > 200:
            error(line, "address", _("At most %(limit)d characters.") % {"limit": 200})
        area_type = AREA_TYPES.get(row.area_type) or AREA_TYPES.get(row.area_type.lower())
        if area_type is None:
            error(line, "area_type", _("Write 城镇 (urban) or 农村 (rural)."))
        else:
            row.area_type = area_type

    # --- the preview's rows, kept for the commit -----------------------------------------------

    def dump_plan(self, report: Report) -> bytes | None:
        rows, _groups = report.plan
        data = [
            [
                r.line,
                r.id_number,
                r.name,
                r.sex,
                r.birth_date.isoformat(),
                r.community,
                r.address,
                r.area_type,
                r.ref,
                r.relationship,
            ]
            for r in rows
        ]
        return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode(), 1)

    def recheck(self, *, actor, plan: bytes, progress) -> Report:
        """The file's own checks passed at the preview; what the database or the area decide is checked again."""
        report = Report()
        prefix = scope_prefix(actor) or "\x00"
        communities = set(
            Division.objects.filter(level=DivisionLevel.COMMUNITY, active=True).values_list("code", flat=True)
        )
        good: list[Row] = []
        groups: dict[str, Group] = {}
        fromiso = datetime.date.fromisoformat
        for line, number, name, sex, birth, community, address, area, ref, relationship in json.loads(
            zlib.decompress(plan)
        ):
            row = Row(line, number, name, sex, fromiso(birth), community, address, area, ref, relationship)
            report.rows += 1
            if community not in communities:
                report.error(line, "community", _("Unknown community code “%(code)s”.") % {"code": community})
            elif not community.startswith(prefix):
                report.error(line, "community", _("Community %(code)s is outside your area.") % {"code": community})
            good.append(row)
            group = groups.get(ref)
            if group is None:
                groups[ref] = Group(ref, [row])
            else:
                group.rows.append(row)
        progress(0.5)
        self._check_database(report, actor, prefix, good, groups)
        return self._finish(report, good, groups)

    @staticmethod
    def _finish(report: Report, good: list[Row], groups: dict[str, Group]) -> Report:
        report.to_update = sum(1 for r in good if r.person_id is not None)
        report.to_create = len(good) - report.to_update
        new_households = sum(1 for g in groups.values() if g.household_id is None)
        report.summary = {"households_to_create": new_households, "households_to_update": len(groups) - new_households}
        if not report.error_count:
            report.plan = (good, groups)
        return report

    def _check_groups(self, report: Report, groups: dict[str, Group]) -> None:
        for ref, group in groups.items():
            heads = [r for r in group.rows if r.relationship == Relationship.HEAD]
            if not heads:
                report.error(
                    group.rows[0].line,
                    "relationship",
                    _("Household %(ref)s has no head: one of its rows must have the relationship 户主 (head).")
                    % {"ref": ref},
                )
            for extra in heads[1:]:
                report.error(
                    extra.line,
                    "relationship",
                    _("Household %(ref)s already has its head on line %(n)d.") % {"ref": ref, "n": heads[0].line},
                )
            first = group.rows[0]
            for row in group.rows[1:]:
                for field_name, label in (
                    ("community", _("community")),
                    ("address", _("address")),
                    ("area_type", _("urban or rural")),
                ):
                    if getattr(row, field_name) != getattr(first, field_name):
                        report.error(
                            row.line,
                            field_name,
                            _("Household %(ref)s: the %(what)s differs from line %(n)d (one household, one %(what)s).")
                            % {"ref": ref, "what": label, "n": first.line},
                        )

    @staticmethod
    def _lookup(numbers: list[str]) -> tuple[dict[str, tuple], dict[int, tuple]]:
        """Registered people by ID number ``(id, division)``, and their memberships by person id."""
        people: dict[str, tuple] = {}
        for part in chunks(numbers):
            for pk, number, division in fetch(
                "SELECT id, id_number, division_id FROM people_person WHERE id_number = ANY(%s)", [part]
            ):
                people[number] = (pk, division)
        memberships: dict[int, tuple] = {}
        ids = [pk for pk, _d in people.values()]
        for part in chunks(ids):
            for person_id, household_id, head_id, community, head_name in fetch(
                "SELECT m.person_id, m.household_id, h.head_id, h.community_id, p.name "
                "FROM people_householdmember m JOIN people_household h ON h.id = m.household_id "
                "JOIN people_person p ON p.id = h.head_id WHERE m.person_id = ANY(%s)",
                [part],
            ):
                memberships[person_id] = (household_id, head_id, community, head_name)
        return people, memberships

    def _check_database(self, report: Report, actor, prefix: str, good: list[Row], groups: dict[str, Group]) -> None:
        by_number = {r.id_number: r for r in good}
        people, memberships = self._lookup(list(by_number))
        for number, (pk, division) in people.items():
            row = by_number[number]
            row.person_id = pk
            if not division.startswith(prefix):
                report.error(row.line, "id_number", _("This person is registered outside your area."))
        for group in groups.values():
            rows = [r for r in group.rows if r.person_id is not None]
            if not rows:
                continue
            heads = [r for r in group.rows if r.relationship == Relationship.HEAD]
            head = heads[0] if len(heads) == 1 else None
            existing = {memberships[r.person_id][0] for r in rows if r.person_id in memberships}
            if not existing:
                continue
            head_household = memberships.get(head.person_id) if head and head.person_id else None
            target = head_household[0] if head_household and head_household[1] == head.person_id else None
            for row in rows:
                membership = memberships.get(row.person_id)
                if membership is None or membership[0] == target:
                    continue
                report.error(
                    row.line,
                    "household_ref",
                    _("%(name)s already belongs to another household (head: %(head)s); remove them from it first.")
                    % {"name": row.name, "head": membership[3]},
                )
            if target is not None:
                group.household_id = target
                if not head_household[2].startswith(prefix):
                    report.error(head.line, "community", _("This person's household is registered outside your area."))

    # --- write -----------------------------------------------------------------------------------

    def write(self, *, actor, job, report: Report) -> None:
        rows, groups = report.plan
        execute("DROP TABLE IF EXISTS imp_rows, imp_households")  # left by an earlier write in this same transaction
        execute(
            "CREATE TEMPORARY TABLE imp_rows (id_number varchar(18) PRIMARY KEY, name varchar(50), sex varchar(6), "
            "birth_date date, community varchar(12), ref text, relationship varchar(12), existing boolean) "
            "ON COMMIT DROP"
        )
        execute(
            "CREATE TEMPORARY TABLE imp_households (ref text PRIMARY KEY, community varchar(12), address varchar(200), "
            "area_type varchar(5), head_number varchar(18), household_id bigint, existing boolean) ON COMMIT DROP"
        )
        copy_rows(
            "imp_rows",
            ["id_number", "name", "sex", "birth_date", "community", "ref", "relationship", "existing"],
            (
                (
                    r.id_number,
                    r.name,
                    r.sex,
                    r.birth_date,
                    r.community,
                    r.ref,
                    r.relationship,
                    "t" if r.person_id else "f",
                )
                for r in rows
            ),
        )
        copy_rows(
            "imp_households",
            ["ref", "community", "address", "area_type", "head_number", "household_id"],
            (
                (
                    g.ref,
                    g.rows[0].community,
                    g.rows[0].address,
                    g.rows[0].area_type,
                    next(r.id_number for r in g.rows if r.relationship == Relationship.HEAD),
                    g.household_id,
                )
                for g in groups.values()
            ),
        )
        execute("ANALYZE imp_rows")
        execute("ANALYZE imp_households")
        # No history written here: the three tables' history triggers are statement-level (people/models.py),
        # so each INSERT … SELECT / UPDATE below records its rows' events itself, set-based.
        self._write(actor, report)

    @staticmethod
    def _write(actor, report: Report) -> None:
        # "Now" is the application's clock (a parameter), never the database's now(): the black-box
        # tests move the server's clock (libfaketime), not the database's.
        now = timezone.now()
        created = returning(
            "INSERT INTO people_person (id_number, name, phone, sex, birth_date, division_id, created_by_id, "
            "created_at, updated_at) "
            "SELECT r.id_number, r.name, '', r.sex, r.birth_date, r.community, %s, %s, %s "
            "FROM imp_rows r WHERE NOT r.existing ORDER BY r.id_number ON CONFLICT (id_number) DO NOTHING RETURNING id",
            [actor.pk, now, now],
        )
        if len(created) != report.to_create:
            raise Changed(_("Someone registered some of these people while the file was being written."))
        execute(
            "UPDATE people_person p SET name = r.name, division_id = r.community, updated_at = %s "
            "FROM imp_rows r WHERE r.existing AND p.id_number = r.id_number "
            "AND (p.name <> r.name OR p.division_id <> r.community)",
            [now],
        )
        execute(
            "UPDATE people_household h SET community_id = s.community, address = s.address, "
            "area_type = s.area_type, updated_at = %s FROM imp_households s "
            "WHERE h.id = s.household_id AND (h.community_id <> s.community OR h.address <> s.address "
            "OR h.area_type <> s.area_type)",
            [now],
        )
        execute("UPDATE imp_households SET existing = household_id IS NOT NULL")
        execute(
            "WITH made AS ("
            " INSERT INTO people_household (community_id, address, area_type, head_id, bank_name, bank_account, "
            " created_by_id, created_at, updated_at) "
            " SELECT s.community, s.address, s.area_type, p.id, '', '', %s, %s, %s "
            " FROM imp_households s JOIN people_person p ON p.id_number = s.head_number "
            " WHERE s.household_id IS NULL ORDER BY s.ref RETURNING id, head_id) "
            "UPDATE imp_households s SET household_id = made.id FROM made JOIN people_person p ON p.id = made.head_id "
            "WHERE p.id_number = s.head_number AND s.household_id IS NULL",
            [actor.pk, now, now],
        )
        execute("ANALYZE imp_households")
        execute(
            "UPDATE people_householdmember m SET relationship = r.relationship "
            "FROM imp_rows r JOIN imp_households s ON s.ref = r.ref "
            "JOIN people_person p ON p.id_number = r.id_number "
            "WHERE m.person_id = p.id AND m.household_id = s.household_id AND m.relationship <> r.relationship"
        )
        added = returning(
            "INSERT INTO people_householdmember (household_id, person_id, relationship) "
            "SELECT s.household_id, p.id, r.relationship FROM imp_rows r "
            "JOIN imp_households s ON s.ref = r.ref JOIN people_person p ON p.id_number = r.id_number "
            "WHERE NOT EXISTS (SELECT 1 FROM people_householdmember m WHERE m.person_id = p.id) ORDER BY p.id "
            "RETURNING id"
        )
        # members already in an updated household and not in the file follow its community
        execute(
            "UPDATE people_person p SET division_id = h.community_id, updated_at = %s "
            "FROM people_householdmember m JOIN people_household h ON h.id = m.household_id "
            "JOIN imp_households s ON s.household_id = h.id AND s.existing "
            "WHERE p.id = m.person_id AND p.division_id <> h.community_id",
            [now],
        )
        report.summary["members_added"] = len(added)
