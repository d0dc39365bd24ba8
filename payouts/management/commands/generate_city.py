# SQL here is composed from integers computed in this file and fixed text: no outside input reaches it.
# ruff: noqa: S608
"""A synthetic city at the bureau's 2020 scale, for benchmarks and load tests. Set-based SQL, deterministic.

    python manage.py generate_city --scale 1 --seed 2020 [--replace]

At ``--scale 1`` (the figures of the bureau's H1 2020 report, ``domain.md``):

* 62,000 active dibao households with 91,000 persons (and 2% more suspended or ended cases);
* 6,400 tekun persons (≈ 60.33 million in six months at the demo standards), 30% in institutions;
* 887 orphans (20% in institutions, the others with a guardian);
* 39,000 living subsidies (members of dibao households, with certificates of grades 1–4) and
  89,000 nursing subsidies (grades 1–2: the living-subsidy holders of those grades and others);
* 5,222 approved temporary-relief claims in 2020 (≈ 3,760 each);
* the six price indices of January–June 2020, and the standards before and after 1 April 2020.

``--scale S`` multiplies every count by S. The same seed gives the same city: every random
choice is a hash of (seed, row, purpose), computed in SQL, so it does not depend on the
plan PostgreSQL picks; the command ends by printing a fingerprint of what it made.

Rows are written with a few ``INSERT … SELECT … FROM generate_series`` statements, history
triggers switched off for the load (synthetic data has no history). The tables it fills
must be empty, or ``--replace`` empties them first (``TRUNCATE … CASCADE``: only ever on a
scratch database).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

# H1 2020 figures at scale 1.
DIBAO_HOUSEHOLDS = 62_000
DIBAO_PERSONS = 91_000
DIBAO_INACTIVE = 2_480  # 2% more: half suspended, half ended in 2019 (paid nothing in 2020)
TEKUN_PERSONS = 6_400
ORPHANS = 887
LIVING_SUBSIDIES = 39_000
NURSING_SUBSIDIES = 89_000
RELIEF_CLAIMS = 5_222
MARRIAGES = 21_631  # registered in January–June 2020
DIVORCES = 9_918  # registered in January–June 2020, each ending a marriage registered before 2020
ROADS_NAMED = 237  # unnamed roads of the inventory named in January–June 2020
ROADS_STILL_UNNAMED = 120  # found in the 2019 survey and still waiting for a name on 30 June
COMMUNITY_ORGS = 10_363  # community social organizations filed in January–June 2020
STATION_ADMISSIONS = 611  # vagrants and beggars helped at the relief stations
REUNITED = 16  # of them, family found (寻亲成功)
# Calibration (what the rules alone do not decide; docs in bench/README.md, "The demo city"):
TEKUN_CARE = (0.57, 0.30)  # shares of tekun persons fully / partly able to care for themselves; the rest: none
ORPHANS_IN_INSTITUTIONS = 0.10  # the others live with a guardian
ORPHANS_NEW_IN_2020 = 0.075  # cases starting February–June 2020 (the others earlier)
NURSING_GRADE1 = 0.24  # share of nursing-subsidy holders with a grade-1 certificate (the rest grade 2)
PRICE_FLOOR_2020 = "79.00"  # the 2020 price-linkage rule's least amount a person (46.57 M / 6 / ≈ 98,300 covered)
PRICE_INDICES_2020 = [
    ("2020-01-01", "5.4", "20.6"),
    ("2020-02-01", "5.2", "21.9"),
    ("2020-03-01", "4.3", "18.3"),
    ("2020-04-01", "3.3", "14.8"),
    ("2020-05-01", "2.4", "10.6"),
    ("2020-06-01", "2.5", "11.1"),
]
# Each role's persons have their own 3-digit order code (its first digit) and birth-date range, so
# ID numbers never collide: unique while a role has fewer than 100 × (days in its range) persons.
ROLES = {
    # role: (first order digit, born from, born until)
    "head": (1, "1935-01-01", "1990-12-31"),
    "member": (2, "1940-01-01", "2015-12-31"),
    "inactive": (3, "1940-01-01", "1990-12-31"),
    "tekun": (4, "1930-01-01", "1965-12-31"),
    "orphan": (5, "2003-06-01", "2019-06-30"),
    "guardian": (6, "1950-01-01", "1985-12-31"),
    "nursing": (7, "1930-01-01", "2010-12-31"),
    # (8 is bench.worklist's filler residents.) The parties of 2020's marriages and divorces:
    "spouse_a": (9, "1955-01-01", "1996-06-30"),
    "spouse_b": (0, "1955-01-01", "1996-06-30"),
}
MAX_SCALE = 30
MIN_SCALE = 0.001  # a tiny city for tests (every figure × S, at least one of each)
TABLES = [
    "marriage_marriageparty",
    "marriage_registrationtransition",
    "marriage_householdchange",
    "marriage_registration",
    "marriage_certificatecounter",
    "placenames_unnamedroad",
    "placenames_road",
    "social_orgs_communityorg",
    "relief_familytrace",
    "relief_stationservice",
    "relief_stationadmission",
    "payouts_payoutline",
    "payouts_runevent",
    "payouts_bankexport",
    "payouts_returnimport",
    "payouts_payoutrun",
    "welfare_subsidyhold",
    "welfare_orphanhold",
    "welfare_disabilitysubsidycase",
    "welfare_disabilitycertificate",
    "welfare_orphancase",
    "relief_temporaryreliefclaim",
    "relief_dibaoincome",
    "relief_dibaomember",
    "relief_dibaocase",
    "relief_tekuncase",
    "relief_priceindex",
    "people_householdmember",
    "people_household",
    "people_person",
]
STAMP = "'2020-01-01 08:00:00+08'::timestamptz"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰凤玉华建国志红云海波鹏飞燕玲"
BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "青岛农商银行", "青岛银行", "邮储银行"]


class Command(BaseCommand):
    help = "Build a synthetic city of the bureau's 2020 figures × SCALE (deterministic for a seed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1, help="multiply every 2020 figure by this (0.001–30; below 1 for tests)"
        )
        parser.add_argument("--seed", type=int, default=2020, help="the same seed gives the same city")
        parser.add_argument(
            "--replace", action="store_true", help="empty the people, relief, welfare and payouts tables first"
        )

    def execute(self, *args, **options):
        # A bulk load switches triggers off and empties tables: the owner's work, not the application role's.
        from core.db.roles import as_owner

        with as_owner():
            return super().execute(*args, **options)

    def handle(self, *args, scale: float, seed: int, replace: bool, **options):
        if not MIN_SCALE <= scale <= MAX_SCALE:
            raise CommandError(
                f"--scale must be between {MIN_SCALE} and {MAX_SCALE} (ID numbers stay unique up to there)."
            )
        scale = int(scale) if float(scale).is_integer() else scale
        if not 0 <= seed < 2**31:
            raise CommandError("--seed must be a non-negative 32-bit integer.")
        from core.services import divisions_load

        divisions_load()
        started = time.perf_counter()
        with transaction.atomic():
            self._prepare(replace)
            actor = self._generator_user()
            self._standards()
            counts = build_city(scale=scale, seed=seed, actor_id=actor)
        elapsed = time.perf_counter() - started
        with connection.cursor() as cur:  # fresh statistics, or the planner guesses "one row" for millions
            for table in [*TABLES, "core_division", "relief_standard"]:
                if _has_table(table):
                    cur.execute(f"ANALYZE {table}")
        for label, n in counts.items():
            self.stdout.write(f"{label:<34} {n:>12,}")
        self.stdout.write(f"fingerprint {fingerprint()}  ({elapsed:.1f} s, scale {scale}, seed {seed})")

    def _prepare(self, replace: bool) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM people_person)")
            has_people = cur.fetchone()[0]
            if has_people and not replace:
                raise CommandError("The database already has people: run on a scratch database, or add --replace.")
            if replace:
                cur.execute("SET LOCAL civil_affairs.flush = 'on'")  # the owner may empty the audit tables
                cur.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
                for table in _history_tables():
                    cur.execute(f"TRUNCATE {table}")

    def _generator_user(self) -> int:
        from core.models import User

        user, created = User.objects.get_or_create(
            username="city_generator",
            defaults={"role": "admin", "division_id": "370200", "first_name": "合成数据"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user.pk

    def _standards(self) -> None:
        from relief.services import standards_seed

        standards_seed(demo=True)
        _price_rule_2020()
        try:
            from welfare.demo import welfare_standards_seed
        except ImportError:
            return
        welfare_standards_seed()


def _price_rule_2020() -> None:
    """The demo city's price-linkage rule from 1 January 2020, calibrated on the report (written down as its source).

    The national rule alone (the dibao standard × the CPI's rise, dibao and tekun persons) pays
    ≈ 19 million in the half year, 0.41 of the report's 46.57 million: in 2020 the standards were
    raised for the epidemic and more groups were covered. The demo says so plainly instead of
    guessing the bureau's table: orphans covered too, and at least 79 yuan a person a month.
    """
    from relief.models import CoveredGroup, PriceSubsidyRule
    from relief.services import price_rule_create

    if PriceSubsidyRule.objects.filter(effective_from="2020-01-01").exists():
        return
    price_rule_create(
        actor=None,
        effective_from="2020-01-01",
        cpi_threshold="3.5",
        food_cpi_threshold="6.0",
        floor=PRICE_FLOOR_2020,
        covered_groups=[CoveredGroup.DIBAO, CoveredGroup.TEKUN, CoveredGroup.ORPHAN],
        source="演示校准：2020年上半年工作总结 6次 4657万元；覆盖低保、特困、孤儿，每人每月不低于79元",
    )


def _history_tables() -> list[str]:
    """The pghistory event tables of the models this command fills (emptied with them on --replace)."""
    from django.apps import apps

    filled = set(TABLES)
    out = []
    for model in apps.get_models():
        tracked = getattr(model, "pgh_tracked_model", None)
        if tracked is not None and tracked._meta.db_table in filled:
            out.append(model._meta.db_table)
    return out


def _execute(sql: str) -> int:
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.rowcount


def _role_sql(role: str) -> tuple[int, str, int]:
    """(order digit, first birth date, number of days) of a role's birth range."""
    import datetime

    digit, start, end = ROLES[role]
    days = (datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start)).days
    return digit, start, days


def scaled(figure: int, scale: float) -> int:
    """A figure of the report × the scale, at least 1."""
    return max(1, round(figure * scale))


def build_city(*, scale: float, seed: int, actor_id: int) -> dict[str, int]:  # noqa: PLR0915 - one script, in order
    n_households = scaled(DIBAO_HOUSEHOLDS, scale)
    n_members = scaled(DIBAO_PERSONS, scale) - n_households
    n_inactive = scaled(DIBAO_INACTIVE, scale)
    n_tekun = scaled(TEKUN_PERSONS, scale)
    n_orphans = scaled(ORPHANS, scale)
    n_living = scaled(LIVING_SUBSIDIES, scale)
    n_nursing = scaled(NURSING_SUBSIDIES, scale)
    n_claims = scaled(RELIEF_CLAIMS, scale)
    n_marriages = scaled(MARRIAGES, scale)
    n_divorces = scaled(DIVORCES, scale)
    n_couples = n_marriages + n_divorces
    for role in ROLES:
        _digit, _start, days = _role_sql(role)
        needed = {"head": n_households, "nursing": n_nursing, "spouse_a": n_couples, "spouse_b": n_couples}
        if days * 100 < needed.get(role, 0):
            raise CommandError(f"scale {scale} is too large for unique {role} ID numbers")

    tables = [t for t in TABLES if not t.startswith("payouts_")]
    replica = _triggers_off(tables)
    _execute("SET LOCAL work_mem = '256MB'")  # sorts and hash joins of a few million rows stay in memory

    # rnd(i, purpose): a uniform number in [0, 1) from the seed, the row and the purpose, whatever the
    # plan (PostgreSQL's own 64-bit hash: the same city for the same seed on the same major version).
    _execute(
        f"""
        CREATE OR REPLACE FUNCTION pg_temp.rnd(i bigint, purpose int) RETURNS double precision
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT ((hashint8extended(i * 256 + purpose, {seed}) >> 11) & 9007199254740991)::float8
                 / 9007199254740992.0
        $$;
        CREATE OR REPLACE FUNCTION pg_temp.pick(i bigint, purpose int, n int) RETURNS int
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT floor(pg_temp.rnd(i, purpose) * n)::int $$;
        DROP TABLE IF EXISTS gen_community;
        CREATE TEMP TABLE gen_community AS
          SELECT row_number() OVER (ORDER BY code) - 1 AS idx, code,
                 CASE WHEN kind = 'village' THEN 'rural' ELSE 'urban' END AS area
          FROM core_division WHERE level = 'community' AND active;
        CREATE UNIQUE INDEX ON gen_community (idx);
        DROP TABLE IF EXISTS gen_person;
        CREATE TEMP TABLE gen_person (
            id bigint PRIMARY KEY, role text, community text, household bigint, relationship text,
            death date
        );
        DROP TABLE IF EXISTS gen_household;
        CREATE TEMP TABLE gen_household (id bigint PRIMARY KEY, community text, area text, head bigint, kind text);
        """
    )
    communities = _scalar("SELECT count(*) FROM gen_community")
    counts: dict[str, int] = {}

    # --- Households and who lives in them -------------------------------------------------------
    next_person, next_household = 1, 1

    def households(kind: str, n: int, purpose: int) -> tuple[int, int]:
        nonlocal next_household
        first = next_household
        _execute(
            f"""
            INSERT INTO gen_household (id, community, area, kind)
            SELECT g, c.code, c.area, '{kind}'
            FROM generate_series({first}, {first + n - 1}) g
            JOIN gen_community c ON c.idx = pg_temp.pick(g, {purpose}, {communities})
            """
        )
        next_household += n
        return first, first + n - 1

    def persons(role: str, n: int, *, household_sql: str, relationship_sql: str, death_sql: str = "NULL") -> int:
        nonlocal next_person
        first = next_person
        _execute(
            f"""
            INSERT INTO gen_person (id, role, household, relationship, death)
            SELECT g, '{role}', {household_sql}, {relationship_sql}, {death_sql}
            FROM generate_series({first}, {first + n - 1}) g
            """
        )
        next_person += n
        return first

    # Dibao: heads, then the other members spread over the households (exactly 91,000 × S persons).
    dibao_first, dibao_last = households("dibao", n_households, 1)
    heads = persons("head", n_households, household_sql=f"g - 1 + {dibao_first}", relationship_sql="'head'")
    persons(
        "member",
        n_members,
        household_sql=f"{dibao_first} + pg_temp.pick(g, 2, {n_households})",
        relationship_sql="(ARRAY['spouse','child','child','parent','grandchild','sibling'])[1 + pg_temp.pick(g, 3, 6)]",
        death_sql="CASE WHEN pg_temp.rnd(g, 4) < 0.005 THEN date '2020-02-15' END",  # died before April
    )
    inactive_first, _inactive_last = households("dibao_inactive", n_inactive, 5)
    persons("inactive", n_inactive, household_sql=f"g - {next_person} + {inactive_first}", relationship_sql="'head'")
    # Tekun: 70% at home in a household of their own, 30% in an institution (no household).
    tekun_home = n_tekun * 7 // 10
    home_first, _home_last = households("tekun", tekun_home, 6)
    tekun_first = persons(
        "tekun",
        n_tekun,
        household_sql=f"CASE WHEN g - {next_person} < {tekun_home} THEN g - {next_person} + {home_first} END",
        relationship_sql="'head'",
    )
    # Orphans: 20% in an institution; the others live with a guardian who heads their household.
    orphans_home = n_orphans - round(n_orphans * ORPHANS_IN_INSTITUTIONS)
    guardian_first_household, _gl = households("orphan", orphans_home, 7)
    guardian_first = persons(
        "guardian",
        orphans_home,
        household_sql=f"g - {next_person} + {guardian_first_household}",
        relationship_sql="'head'",
    )
    orphan_first = persons(
        "orphan",
        n_orphans,
        household_sql=f"CASE WHEN g - {next_person} < {orphans_home} THEN g - {next_person} + "
        f"{guardian_first_household} END",
        relationship_sql="'grandchild'",
    )
    # Persons with severe disabilities outside dibao: as many as the nursing subsidy needs beyond the
    # dibao members who hold it (known once the living subsidy's certificates are drawn, below).
    _execute(
        f"""
        DROP TABLE IF EXISTS gen_living;
        CREATE TEMP TABLE gen_living AS
          SELECT id AS person, 1 + pg_temp.pick(id, 20, 4) AS grade, 1 + pg_temp.pick(id, 21, 7) AS type
          FROM gen_person WHERE role IN ('head', 'member') AND death IS NULL
          ORDER BY pg_temp.rnd(id, 22), id LIMIT {n_living};
        CREATE UNIQUE INDEX ON gen_living (person);
        """
    )
    overlap = min(_scalar("SELECT count(*) FROM gen_living WHERE grade <= 2"), n_nursing)
    n_nursing_only = n_nursing - overlap
    # Grade 1 among the nursing-only persons: what makes NURSING_GRADE1 of all holders grade 1.
    grade1_overlap = _scalar("SELECT count(*) FROM gen_living WHERE grade = 1")
    grade1_share = max(0.0, NURSING_GRADE1 * n_nursing - grade1_overlap) / max(n_nursing_only, 1)
    nursing_home_first, _nl = households("nursing", n_nursing_only, 8)
    nursing_first = persons(
        "nursing", n_nursing_only, household_sql=f"g - {next_person} + {nursing_home_first}", relationship_sql="'head'"
    )
    # The parties of the half year's marriages and divorces (persons of their own, no household).
    spouse_a_first = persons("spouse_a", n_couples, household_sql="NULL", relationship_sql="NULL")
    if n_couples % 2 == 0:
        next_person += 1  # the parties of a couple then differ in sex (it follows the row's parity)
    spouse_b_first = persons("spouse_b", n_couples, household_sql="NULL", relationship_sql="NULL")
    _execute("ANALYZE gen_person; ANALYZE gen_household;")

    # --- People, households, members ---------------------------------------------------------------
    roles_values = ", ".join(
        f"('{role}', {digit}, date '{start}', {days})"
        for role, (digit, start, days) in ((r, _role_sql(r)) for r in ROLES)
    )
    _execute(
        f"""
        WITH spec AS (
          SELECT p.id, p.death, COALESCE(h.community, c.code) AS community, r.digit, r.born_from, r.days
          FROM gen_person p
          JOIN (VALUES {roles_values}) AS r(role, digit, born_from, days) ON r.role = p.role
          LEFT JOIN gen_household h ON h.id = p.household
          JOIN gen_community c ON c.idx = pg_temp.pick(p.id, 9, {communities})
        ), body AS (
          SELECT id, community, death,
                 born_from + ((id / 100) % days)::int AS birth,
                 substr(community, 1, 6) || to_char(born_from + ((id / 100) % days)::int, 'YYYYMMDD')
                   || digit::text || lpad((id % 100)::text, 2, '0') AS b
          FROM spec
        )
        INSERT INTO people_person (id, id_number, name, phone, sex, birth_date, death_date, division_id,
                                   created_by_id, created_at, updated_at)
        SELECT id,
               b || substr('10X98765432', 1 + (
                   substr(b,1,1)::int*7 + substr(b,2,1)::int*9 + substr(b,3,1)::int*10 + substr(b,4,1)::int*5
                 + substr(b,5,1)::int*8 + substr(b,6,1)::int*4 + substr(b,7,1)::int*2 + substr(b,8,1)::int*1
                 + substr(b,9,1)::int*6 + substr(b,10,1)::int*3 + substr(b,11,1)::int*7 + substr(b,12,1)::int*9
                 + substr(b,13,1)::int*10 + substr(b,14,1)::int*5 + substr(b,15,1)::int*8 + substr(b,16,1)::int*4
                 + substr(b,17,1)::int*2) % 11, 1),
               substr('{SURNAMES}', 1 + pg_temp.pick(id, 30, {len(SURNAMES)}), 1)
                 || substr('{GIVEN}', 1 + pg_temp.pick(id, 31, {len(GIVEN)}), 1)
                 || CASE WHEN pg_temp.rnd(id, 32) < 0.7
                         THEN substr('{GIVEN}', 1 + pg_temp.pick(id, 33, {len(GIVEN)}), 1) ELSE '' END,
               '', CASE WHEN (id % 10) % 2 = 1 THEN 'male' ELSE 'female' END,
               birth, death, community, {actor_id}, {STAMP}, {STAMP}
        FROM body ORDER BY id
        """
    )
    counts["persons"] = _scalar("SELECT count(*) FROM people_person")
    _execute(
        f"""
        INSERT INTO people_household (id, community_id, address, area_type, head_id, bank_name, bank_account,
                                      created_by_id, created_at, updated_at)
        SELECT h.id, h.community, '合成路' || (1 + pg_temp.pick(h.id, 40, 999)) || '号', h.area, p.id,
               (ARRAY[{", ".join(f"'{b}'" for b in BANKS)}])[1 + pg_temp.pick(h.id, 41, {len(BANKS)})],
               '6222' || lpad(pg_temp.pick(h.id, 42, 1000000)::text, 6, '0') || lpad((h.id % 1000000)::text, 6, '0'),
               {actor_id}, {STAMP}, {STAMP}
        FROM gen_household h JOIN gen_person p ON p.household = h.id AND p.relationship = 'head'
        ORDER BY h.id;
        INSERT INTO people_householdmember (household_id, person_id, relationship)
        SELECT household, id, relationship FROM gen_person WHERE household IS NOT NULL ORDER BY id;
        """
    )
    counts["households"] = _scalar("SELECT count(*) FROM people_household")

    # --- Dibao cases (case id = household id) ----------------------------------------------------------
    benefit_cols = (
        "status, created_by_id, created_at, updated_at, reviewed_by_id, reviewed_at, approved_by_id, approved_at,"
        " approval_level, start_month, end_month, notice_until, last_review_on, next_review_on"
    )

    def benefit_values(key: str, purpose: int, status_sql: str = "'active'", end_sql: str = "NULL") -> str:
        start = f"(date '2014-01-01' + make_interval(months => pg_temp.pick({key}, {purpose}, 73)))::date"
        return (
            f"{status_sql}, {actor_id}, {STAMP}, {STAMP}, {actor_id}, {STAMP}, {actor_id}, {STAMP}, 'district',"
            f" {start}, {end_sql}, {start} + 7, {start}, date '2020-09-01'"
        )

    _execute(
        f"""
        INSERT INTO relief_dibaocase (id, {benefit_cols}, household_id, monthly_income, members_count,
                                      investigated_on, investigators, investigation_findings)
        SELECT h.id, {
            benefit_values(
                "h.id",
                50,
                "CASE WHEN h.kind = 'dibao' THEN 'active' WHEN h.id % 2 = 0 THEN 'suspended' ELSE 'terminated' END",
                "CASE WHEN h.kind = 'dibao_inactive' AND h.id % 2 = 1 THEN date '2019-07-01' END",
            )
        },
               h.id, round((CASE WHEN h.area = 'urban' THEN 880 ELSE 700 END) * m.n * pg_temp.rnd(h.id, 51) * 0.5),
               m.n, NULL, '', ''
        FROM gen_household h
        JOIN (SELECT household, count(*) AS n FROM gen_person GROUP BY household) m ON m.household = h.id
        WHERE h.kind IN ('dibao', 'dibao_inactive') ORDER BY h.id;
        INSERT INTO relief_dibaomember (case_id, person_id, relationship, disabled)
        SELECT p.household, p.id, p.relationship, l.person IS NOT NULL
        FROM gen_person p LEFT JOIN gen_living l ON l.person = p.id
        WHERE p.role IN ('head', 'member', 'inactive') ORDER BY p.id;
        """
    )
    counts["dibao cases (active)"] = _scalar("SELECT count(*) FROM relief_dibaocase WHERE status = 'active'")
    counts["dibao persons (active cases)"] = _scalar(
        "SELECT count(*) FROM relief_dibaomember m JOIN relief_dibaocase c ON c.id = m.case_id"
        " WHERE c.status = 'active'"
    )

    # --- Tekun ------------------------------------------------------------------------------------------
    _execute(
        f"""
        INSERT INTO relief_tekuncase ({benefit_cols}, person_id, care_level, placement, institution, area_type)
        SELECT {benefit_values("p.id", 60)}, p.id,
               CASE WHEN pg_temp.rnd(hashint8(p.id), 61) < {TEKUN_CARE[0]} THEN 'full'
                    WHEN pg_temp.rnd(hashint8(p.id), 61) < {TEKUN_CARE[0] + TEKUN_CARE[1]} THEN 'partial'
                    ELSE 'none' END,
               CASE WHEN p.household IS NULL THEN 'institution' ELSE 'home' END,
               CASE WHEN p.household IS NULL THEN '合成社会福利中心' ELSE '' END, c.area
        FROM gen_person p JOIN people_person pp ON pp.id = p.id
        JOIN gen_community c ON c.code = pp.division_id
        WHERE p.role = 'tekun' ORDER BY p.id
        """
    )
    counts["tekun persons"] = _scalar("SELECT count(*) FROM relief_tekuncase")
    price_values = ", ".join(
        f"('{m}', {c}, {f}, (date '{m}' + interval '1 month 9 days')::date, {actor_id}, {STAMP})"
        for m, c, f in PRICE_INDICES_2020
    )

    # --- Welfare ------------------------------------------------------------------------------------------
    if _has_table("welfare_orphancase"):
        _execute(
            f"""
            INSERT INTO welfare_orphancase ({benefit_cols}, person_id, category, guardian_name,
                                            guardian_relationship, institution, guardian_person_id)
            SELECT {benefit_values("p.id", 70, end_sql="NULL")}, p.id,
                   CASE WHEN p.household IS NULL THEN 'institution' ELSE 'community' END,
                   COALESCE(g.name, ''), CASE WHEN p.household IS NULL THEN '' ELSE '祖父母' END,
                   CASE WHEN p.household IS NULL THEN '合成儿童福利院' ELSE '' END, h.head_id
            FROM gen_person p
            LEFT JOIN people_household h ON h.id = p.household
            LEFT JOIN people_person g ON g.id = h.head_id
            WHERE p.role = 'orphan' ORDER BY p.id;
            UPDATE welfare_orphancase o SET start_month = greatest(o.start_month,
                   (date_trunc('month', p.birth_date) + interval '1 month')::date),
                   notice_until = greatest(o.start_month, (date_trunc('month', p.birth_date)
                   + interval '1 month')::date) + 7
              FROM people_person p WHERE p.id = o.person_id;
            UPDATE welfare_orphancase o  -- new cases of the half year: from February to June 2020
               SET start_month = s.start, notice_until = s.start + 7, last_review_on = s.start
              FROM (SELECT id, (date '2020-02-01' + make_interval(months => pg_temp.pick(hashint8(id), 72, 5)))::date
                           AS start
                    FROM welfare_orphancase
                    ORDER BY pg_temp.rnd(hashint8(id), 71), id LIMIT {round(n_orphans * ORPHANS_NEW_IN_2020)}) s
             WHERE s.id = o.id;
            INSERT INTO welfare_disabilitycertificate (person_id, number, disability_type, grade, issued_on,
                                                       created_by_id, created_at, updated_at)
            SELECT p.id, p.id_number || s.type || s.grade, s.type, s.grade, date '2018-06-01',
                   {actor_id}, {STAMP}, {STAMP}
            FROM (SELECT person, type, grade FROM gen_living
                  UNION ALL
                  SELECT id, 1 + pg_temp.pick(id, 80, 7),
                         CASE WHEN pg_temp.rnd(hashint8(id), 81) < {grade1_share} THEN 1 ELSE 2 END
                  FROM gen_person WHERE role = 'nursing') s
            JOIN people_person p ON p.id = s.person ORDER BY p.id;
            INSERT INTO welfare_disabilitysubsidycase ({benefit_cols}, person_id, kind, certificate_id, household_id)
            SELECT {benefit_values("c.person_id", 82)}, c.person_id, 'living', c.id, p.household
            FROM welfare_disabilitycertificate c JOIN gen_living l ON l.person = c.person_id
            JOIN gen_person p ON p.id = c.person_id ORDER BY c.person_id;
            INSERT INTO welfare_disabilitysubsidycase ({benefit_cols}, person_id, kind, certificate_id, household_id)
            SELECT {benefit_values("c.person_id + 7", 83)}, c.person_id, 'nursing', c.id, p.household
            FROM welfare_disabilitycertificate c JOIN gen_person p ON p.id = c.person_id
            WHERE c.grade <= 2 AND (p.role = 'nursing' OR c.person_id IN (SELECT person FROM gen_living))
            ORDER BY c.person_id
            LIMIT {n_nursing};
            """
        )
        counts["orphans"] = _scalar("SELECT count(*) FROM welfare_orphancase")
        counts["living subsidies"] = _scalar("SELECT count(*) FROM welfare_disabilitysubsidycase WHERE kind = 'living'")
        counts["nursing subsidies"] = _scalar(
            "SELECT count(*) FROM welfare_disabilitysubsidycase WHERE kind = 'nursing'"
        )

    # --- Temporary relief claims and the price indices --------------------------------------------------
    _execute(
        f"""
        INSERT INTO relief_temporaryreliefclaim (household_id, amount, kind, reason, green_channel, status,
                   created_by_id, created_at, updated_at, approved_by_id, approved_at, approval_level, cap_year)
        SELECT h.id, a.amount, CASE WHEN pg_temp.rnd(h.id, 91) < 0.6 THEN 'urgent' ELSE 'expense' END,
               '合成数据：临时困难', false, 'approved', {actor_id}, a.at, a.at, {actor_id}, a.at,
               CASE WHEN a.amount <= 1000 THEN 'subdistrict' ELSE 'district' END, 2020
        FROM (SELECT id FROM gen_household WHERE kind = 'dibao' ORDER BY pg_temp.rnd(id, 90), id LIMIT {n_claims}) h
        CROSS JOIN LATERAL (
          -- hashint8: the draw independent of the one that chose the household (purposes 90 and 92
          -- of the same row are correlated), so the average is the report's ≈ 3,760.
          SELECT (500 + pg_temp.pick(hashint8(h.id), 92, 6521))::numeric AS amount,
                 {STAMP} + make_interval(days => pg_temp.pick(h.id, 93, 180)) AS at
        ) a ORDER BY h.id;
        INSERT INTO relief_priceindex (month, cpi_yoy, food_cpi_yoy, published_on, created_by_id, created_at)
        VALUES {price_values}
        ON CONFLICT (month) DO NOTHING;
        """
    )
    counts["temporary relief claims"] = _scalar("SELECT count(*) FROM relief_temporaryreliefclaim")
    counts["price indices"] = _scalar("SELECT count(*) FROM relief_priceindex")

    counts.update(
        build_registries(
            scale=scale,
            actor_id=actor_id,
            spouse_a_first=spouse_a_first,
            spouse_b_first=spouse_b_first,
            n_marriages=n_marriages,
            n_divorces=n_divorces,
        )
    )
    for table in tables:
        if _has_table(table):
            _execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST((SELECT max(id) FROM {table}), 1))"
            )
    _triggers_on(tables, replica)
    _check_references()
    del heads, tekun_first, guardian_first, orphan_first, nursing_first, dibao_last
    return counts


COMMUNITY_ORG_KINDS = [  # (name ending, category)
    ("志愿服务队", "charity"),
    ("爱心互助会", "charity"),
    ("广场舞队", "culture_sports"),
    ("书画社", "culture_sports"),
    ("合唱团", "culture_sports"),
    ("太极拳队", "culture_sports"),
    ("老年协会", "life_service"),
    ("邻里互助中心", "life_service"),
    ("调解小组", "mediation"),
    ("读书会", "other"),
]
ROAD_WORDS = (
    "松岭 桃源 金水 银杏 丹山 青云 海棠 紫荆 观澜 听涛 望岳 春晖 秋实 明德 兴业 安乐 和谐 康宁 锦绣 翠竹".split()
)
ROAD_GENERICS = [("路", "road"), ("街", "street"), ("道", "avenue"), ("巷", "lane")]
ROAD_SERIALS = "一二三四五六七八九十"
STATION_CODES = ["370200", "370200", "370200", "370211", "370214", "370215", "370281", "370283", "370285"]


def build_registries(
    *, scale: float, actor_id: int, spouse_a_first: int, spouse_b_first: int, n_marriages: int, n_divorces: int
) -> dict[str, int]:
    """The registers of the half year: marriages and divorces, roads named, community organizations, station stays."""
    n_couples = n_marriages + n_divorces
    base = _scalar("SELECT coalesce(max(id), 0) FROM marriage_registration")
    # Couple k (0 … n_couples - 1): the first n_marriages marry in 2020; the others married before
    # 2020 (ids after the new marriages) and divorce in 2020 (ids after those).
    _execute(
        f"""
        DROP TABLE IF EXISTS gen_couple;
        CREATE TEMP TABLE gen_couple AS
          SELECT k, a.id AS a, b.id AS b, substr(a.division_id, 1, 6) AS office,
                 greatest(a.birth_date, b.birth_date) AS younger_born
          FROM generate_series(0, {n_couples - 1}) k
          JOIN people_person a ON a.id = {spouse_a_first} + k
          JOIN people_person b ON b.id = {spouse_b_first} + k;
        INSERT INTO marriage_registration (id, kind, status, party_a_id, party_b_id, office_id, applied_on,
                   registered_on, certificate_number, declarations_signed, note, end_reason, ended_on,
                   registrar_id, review_status, review_reason, created_at, updated_at)
        SELECT {base} + 1 + k, 'marriage', 'registered', a, b, office, d, d, NULL, true, '',
               CASE WHEN k >= {n_marriages} THEN 'divorce' ELSE '' END,
               CASE WHEN k >= {n_marriages} THEN date '2020-01-02' + pg_temp.pick(hashint8(k), 101, 180) END,
               {actor_id}, 'passed', '', {STAMP}, {STAMP}
        FROM gen_couple
        CROSS JOIN LATERAL (SELECT CASE WHEN k < {n_marriages}
                  THEN date '2020-01-02' + pg_temp.pick(hashint8(k), 100, 180)
                  ELSE least(date '2019-12-20', younger_born + 8400 + pg_temp.pick(hashint8(k), 102, 4000)) END AS d) x
        ORDER BY k;
        INSERT INTO marriage_registration (id, kind, status, party_a_id, party_b_id, office_id, applied_on,
                   registered_on, certificate_number, declarations_signed, note, end_reason, marriage_id,
                   registrar_id, review_status, review_reason, created_at, updated_at)
        SELECT {base} + 1 + {n_divorces} + k, 'divorce', 'registered', r.party_a_id, r.party_b_id, r.office_id,
               r.ended_on, r.ended_on, NULL, true, '', '', r.id, {actor_id}, 'passed', '', {STAMP}, {STAMP}
        FROM generate_series({n_marriages}, {n_couples - 1}) k
        JOIN marriage_registration r ON r.id = {base} + 1 + k
        ORDER BY k;
        UPDATE marriage_registration r
           SET certificate_number = CASE r.kind WHEN 'marriage' THEN 'J' ELSE 'L' END || r.office_id || '-'
                 || extract(year FROM r.registered_on) || '-' || lpad(n.n::text, 6, '0')
          FROM (SELECT id, row_number() OVER (PARTITION BY kind, office_id, extract(year FROM registered_on)
                                              ORDER BY registered_on, id) AS n
                FROM marriage_registration WHERE id > {base}) n
         WHERE n.id = r.id;
        INSERT INTO marriage_marriageparty (marriage_id, person_id, current)
        SELECT r.id, p.person, r.ended_on IS NULL
        FROM marriage_registration r CROSS JOIN LATERAL (VALUES (r.party_a_id), (r.party_b_id)) p(person)
        WHERE r.id > {base} AND r.kind = 'marriage' ORDER BY r.id;
        INSERT INTO marriage_certificatecounter (office_id, year, series, last_number)
        SELECT office_id, extract(year FROM registered_on), CASE kind WHEN 'marriage' THEN 'J' ELSE 'L' END,
               count(*)
        FROM marriage_registration WHERE id > {base} GROUP BY 1, 2, 3
        ON CONFLICT (office_id, year, series) DO UPDATE
           SET last_number = marriage_certificatecounter.last_number + excluded.last_number;
        """
    )
    _execute(f"SELECT setval(pg_get_serial_sequence('marriage_registration', 'id'), {base + n_couples + n_divorces})")
    counts = {
        "marriages (2020)": _scalar(
            "SELECT count(*) FROM marriage_registration WHERE kind = 'marriage' AND registered_on >= '2020-01-01'"
        ),
        "divorces (2020)": _scalar("SELECT count(*) FROM marriage_registration WHERE kind = 'divorce'"),
    }

    # Community social organizations filed with their communities in the half year.
    kinds = ", ".join(f"({i}, '{name}', '{category}')" for i, (name, category) in enumerate(COMMUNITY_ORG_KINDS))
    communities = _scalar("SELECT count(*) FROM gen_community")
    _execute(
        f"""
        INSERT INTO social_orgs_communityorg (community_id, name, category, person_in_charge, phone, members_count,
                   filed_on, status, note, created_by_id, created_at, updated_at)
        SELECT community, community_name || kind_name
                 || CASE WHEN n > 1 THEN '（' || n || '）' ELSE '' END,
               category,
               substr('{SURNAMES}', 1 + pg_temp.pick(g, 110, {len(SURNAMES)}), 1)
                 || substr('{GIVEN}', 1 + pg_temp.pick(g, 111, {len(GIVEN)}), 1),
               '', 8 + pg_temp.pick(hashint8(g), 112, 60), filed_on, 'filed', '', {actor_id}, {STAMP}, {STAMP}
        FROM (
          SELECT g, c.code AS community, d.name AS community_name, k.name AS kind_name, k.category,
                 date '2020-01-02' + pg_temp.pick(hashint8(g), 113, 180) AS filed_on,
                 row_number() OVER (PARTITION BY c.code, k.idx ORDER BY g) AS n
          FROM generate_series(1, {scaled(COMMUNITY_ORGS, scale)}) g
          JOIN gen_community c ON c.idx = pg_temp.pick(hashint8(g), 114, {communities})
          JOIN core_division d ON d.code = c.code
          JOIN (VALUES {kinds}) k(idx, name, category)
            ON k.idx = pg_temp.pick(hashint8(g), 115, {len(COMMUNITY_ORG_KINDS)})
        ) s ORDER BY g
        """
    )
    counts["community organizations"] = _scalar("SELECT count(*) FROM social_orgs_communityorg")
    counts.update(_roads(scale=scale, actor_id=actor_id))
    counts.update(_station_stays(scale=scale, actor_id=actor_id))
    return counts


def _roads(*, scale: float, actor_id: int) -> dict[str, int]:
    """The unnamed-road inventory of the 2019 survey, and the roads named from it in the half year."""
    import datetime

    from core.models import Division
    from placenames.models import Road, RoadStatus, UnnamedRoad, UnnamedRoadStatus
    from placenames.naming import pinyin_key, romanize

    districts = list(Division.objects.filter(level="district", active=True).order_by("code"))
    subdistricts = {}
    for sub in Division.objects.filter(level="subdistrict", active=True).order_by("code"):
        subdistricts.setdefault(sub.code[:6], []).append(sub)
    taken = set(Road.objects.filter(status=RoadStatus.CURRENT).values_list("name", flat=True))
    names = [
        (word + serial + generic, road_type)
        for serial in ["", *ROAD_SERIALS]
        for generic, road_type in ROAD_GENERICS
        for word in ROAD_WORDS
        if word + serial + generic not in taken
    ]
    n_named, n_open = scaled(ROADS_NAMED, scale), scaled(ROADS_STILL_UNNAMED, scale)
    names += [  # past 880 names (scale 4 and more): numbered branch roads
        (f"{ROAD_WORDS[i % len(ROAD_WORDS)]}支{i}路", "road")
        for i in range(n_named - len(names))
        if f"{ROAD_WORDS[i % len(ROAD_WORDS)]}支{i}路" not in taken
    ]
    roads, unnamed = [], []
    for i in range(n_named + n_open):
        district = districts[(i * 7) % len(districts)]
        subs = subdistricts.get(district.code) or [None]
        sub = subs[(i * 3) % len(subs)]
        found = datetime.date(2019, 3, 1) + datetime.timedelta(days=(i * 37) % 270)
        length = 150 + (i * 97) % 1800
        entry = UnnamedRoad(
            location=f"{(sub or district).name}第{i + 1}号无名路",
            district=district,
            subdistrict=sub,
            found_on=found,
            length_m=length,
            description="2019年无名路摸排（合成数据）",
            created_by_id=actor_id,
        )
        if i < n_named:
            name, road_type = names[i]
            approved = datetime.date(2020, 1, 6) + datetime.timedelta(days=(i * 53) % 175)
            road = Road(
                name=name,
                pinyin=romanize(name),
                pinyin_key=pinyin_key(name),
                district=district,
                road_type=road_type,
                length_m=length,
                approved_on=approved,
                meaning="以美好寓意命名（合成数据）",
                created_by_id=actor_id,
            )
            roads.append(road)
            entry.status, entry.closed_on = UnnamedRoadStatus.NAMED, approved
        unnamed.append(entry)
    Road.objects.bulk_create(roads)
    for entry, road in zip(unnamed, roads, strict=False):
        entry.named_as = road
    UnnamedRoad.objects.bulk_create(unnamed)
    return {"roads named (2020)": len(roads), "unnamed roads still open": n_open}


def _station_stays(*, scale: float, actor_id: int) -> dict[str, int]:
    """Stays at the relief stations in the half year; family traces, some of them successful."""
    import datetime

    from relief.models import FamilyTrace, StationAdmission

    n, n_found = scaled(STATION_ADMISSIONS, scale), scaled(REUNITED, scale)
    sources = ["self", "police", "police", "urban_management", "public", "outreach"]
    outcomes = ["returned_home", "returned_home", "returned_home", "transferred", "left"]
    admissions = []
    for i in range(n):
        admitted = datetime.date(2020, 1, 2) + datetime.timedelta(days=(i * 131) % 178)
        found = i % max(1, n // n_found) == 0 and i // max(1, n // n_found) < n_found
        stay = 3 + (i * 11) % 9
        left = admitted + datetime.timedelta(days=stay)
        if found:
            left = min(left, datetime.date(2020, 6, 30))  # found within the half year
        in_station = left > datetime.date(2020, 6, 30) and not found
        admissions.append(
            StationAdmission(
                station_id=STATION_CODES[i % len(STATION_CODES)],
                name=(SURNAMES[(i * 13) % len(SURNAMES)] + "某") if i % 4 else "无名氏",
                sex="male" if i % 5 else "female",
                estimated_age=18 + (i * 29) % 60,
                admitted_on=admitted,
                source=sources[i % len(sources)],
                circumstances="合成数据",
                status="in_station" if in_station else "discharged",
                outcome="" if in_station else ("reunited" if found else outcomes[i % len(outcomes)]),
                discharged_on=None if in_station else left,
                destination="",
                created_by_id=actor_id,
            )
        )
    StationAdmission.objects.bulk_create(admissions)
    traces = []
    for i, admission in enumerate(admissions):
        if admission.outcome == "reunited" or (admission.name == "无名氏" and i % 3 == 0):
            reunited = admission.outcome == "reunited"
            traces.append(
                FamilyTrace(
                    admission=admission,
                    method=["police", "dna", "face", "internet"][i % 4],
                    started_on=admission.admitted_on,
                    status="found" if reunited else "not_found",
                    concluded_on=admission.discharged_on or admission.admitted_on + datetime.timedelta(days=2),
                    note="合成数据",
                    created_by_id=actor_id,
                )
            )
    FamilyTrace.objects.bulk_create(traces)
    return {"station stays (2020)": n, "families found": sum(t.status == "found" for t in traces)}


def _triggers_off(tables: list[str]) -> bool:
    """No history triggers and, where allowed, no per-row foreign-key checks for the load.

    As a superuser the load runs with ``session_replication_role = replica`` (what pg_restore
    does: no triggers at all, the references are checked once at the end instead); otherwise
    the history triggers are switched off and foreign keys are checked row by row.
    """
    try:
        with transaction.atomic():
            _execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        _execute("SET CONSTRAINTS ALL IMMEDIATE")  # checked now, so the triggers can be switched back on
        for table in tables:
            if _has_table(table):
                _execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        return False
    return True


def _triggers_on(tables: list[str], replica: bool) -> None:
    if replica:
        _execute("SET LOCAL session_replication_role = origin")
        return
    for table in tables:
        if _has_table(table):
            _execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


REFERENCES = [
    ("people_household", "head_id", "people_person"),
    ("people_household", "community_id", "core_division", "code"),
    ("people_person", "division_id", "core_division", "code"),
    ("people_householdmember", "person_id", "people_person"),
    ("people_householdmember", "household_id", "people_household"),
    ("relief_dibaocase", "household_id", "people_household"),
    ("relief_dibaomember", "case_id", "relief_dibaocase"),
    ("relief_dibaomember", "person_id", "people_person"),
    ("relief_tekuncase", "person_id", "people_person"),
    ("relief_temporaryreliefclaim", "household_id", "people_household"),
    ("welfare_orphancase", "person_id", "people_person"),
    ("welfare_disabilitycertificate", "person_id", "people_person"),
    ("welfare_disabilitysubsidycase", "certificate_id", "welfare_disabilitycertificate"),
    ("welfare_disabilitysubsidycase", "household_id", "people_household"),
]


def _check_references() -> None:
    """Every reference the load wrote points at a row (the checks a replica-mode load skipped)."""
    for table, column, target, *key in REFERENCES:
        if not (_has_table(table) and _has_table(target)):
            continue
        target_key = key[0] if key else "id"
        broken = _scalar(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} x WHERE x.{target_key} = t.{column})"
        )
        if broken:
            raise CommandError(f"{broken} rows of {table}.{column} point at no {target}: the city is not consistent.")


def _scalar(sql: str):
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def _has_table(table: str) -> bool:
    return table in connection.introspection.table_names()


def fingerprint() -> str:
    """An MD5 over what makes the city (ID numbers, households, cases, amounts): equal for equal cities."""
    return _scalar(
        """
        SELECT md5(string_agg(part, ',' ORDER BY n)) FROM (
          SELECT 1 AS n, md5(string_agg(id_number || name || division_id || coalesce(death_date::text, ''), ''
                                        ORDER BY id)) AS part FROM people_person
          UNION ALL SELECT 2, md5(string_agg(head_id || community_id || bank_account, '' ORDER BY id))
                    FROM people_household
          UNION ALL SELECT 3, md5(string_agg(household_id || ':' || monthly_income || status, '' ORDER BY id))
                    FROM relief_dibaocase
          UNION ALL SELECT 4, md5(string_agg(person_id || care_level || area_type, '' ORDER BY id))
                    FROM relief_tekuncase
          UNION ALL SELECT 5, md5(string_agg(household_id || ':' || amount, '' ORDER BY id))
                    FROM relief_temporaryreliefclaim
        ) parts
        """
    )
