"""Demo accounts (every role; two finance officers and two approvers per level), the demo city and demo data.

``manage.py seed_demo --scale 1`` (what ``make run`` calls; ``make run DEMO=small``: ``--scale 0.05``)
builds Qingdao's first half of 2020 on an empty database and pays its six months through the
payouts services (``civil_affairs.demo``); without ``--scale`` only the small demo data of each
app is loaded. Idempotent: a second call adds nothing and prints one line a step.
"""

from __future__ import annotations

import datetime
import os
import random
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from stdnum.cn import ric

from core.models import User
from core.roles import Role
from core.services import divisions_load, staff_create
from people.models import Person, Relationship
from people.services import MemberSpec, household_create, person_create

DEMO_ACCOUNTS = [
    ("demo_caseworker", Role.CASEWORKER, "370202001", "演示经办人"),
    ("demo_sd_approver", Role.SUBDISTRICT_APPROVER, "370202001", "演示街道审批人"),
    ("demo_sd_approver2", Role.SUBDISTRICT_APPROVER, "370202001", "演示街道审批人乙"),
    ("demo_district_approver", Role.DISTRICT_APPROVER, "370202", "演示区审批人"),
    ("demo_district_approver2", Role.DISTRICT_APPROVER, "370202", "演示区审批人乙"),
    ("demo_leader", Role.LEADER, "370200", "演示市局领导"),
    ("demo_finance", Role.FINANCE, "370200", "演示财务"),
    ("demo_finance2", Role.FINANCE, "370200", "演示财务乙"),
    ("demo_registrar", Role.REGISTRAR, "370202", "演示婚姻登记员"),
    ("demo_placename", Role.PLACENAME_OFFICER, "370200", "演示地名管理员"),
    ("demo_socialorg", Role.SOCIALORG_OFFICER, "370200", "演示社会组织管理员"),
    ("demo_admin", Role.ADMIN, "370200", "演示系统管理员"),
    ("demo_security", Role.SECURITY_OFFICER, "370200", "演示安全管理员"),
    ("demo_auditor", Role.AUDITOR, "370200", "演示安全审计员"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def demo_id_number(area: str, birth: datetime.date, seq: int, male: bool) -> str:
    body = f"{area}{birth:%Y%m%d}{seq % 100:02d}{(seq % 5) * 2 + (1 if male else 0)}"
    return body + ric.calc_check_digit(body + "0")


def _password() -> str:
    return f"Demo-{secrets.token_urlsafe(9)}"


class Command(BaseCommand):
    help = "Load divisions, demo accounts (printed once) and demo households. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=12, help="demo households per demo sub-district")
        parser.add_argument(
            "--scale",
            type=float,
            default=0,
            help="build the demo city of H1 2020 at this scale (1: the report's; 0: no city) and pay its six months",
        )
        parser.add_argument(
            "--compute-here",
            action="store_true",
            help="compute the city's runs in this process instead of waiting for the Celery worker",
        )

    def step(self, label: str, started: float) -> None:
        self.stdout.write(f"[demo] {label} ({time.perf_counter() - started:.1f} s)")

    def handle(self, *args, **options):
        from civil_affairs import demo

        started = time.perf_counter()
        created, _updated = divisions_load()
        self.step(f"divisions: {created} loaded" if created else "divisions: already loaded", started)
        started = time.perf_counter()
        new_accounts = []
        for username, role, division, full_name in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            password = _password()
            staff_create(
                username=username,
                role=role,
                division_code=division,
                password=password,
                full_name=full_name,
                must_change_password=True,  # printed passwords: each owner chooses their own first
            )
            new_accounts.append((username, role, division, password))
        if new_accounts:
            lines = [f"{u:<24} {r:<22} {d:<10} {p}" for u, r, d, p in new_accounts]
            header = f"{'username':<24} {'role':<22} {'division':<10} password"
            self.stdout.write(self.style.SUCCESS("Demo accounts (shown once; also saved to var/demo-accounts.txt):"))
            self.stdout.write(header)
            for line in lines:
                self.stdout.write(line)
            path = Path(settings.BASE_DIR) / "var" / "demo-accounts.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                if fh.tell() == 0:
                    fh.write(header + "\n")
                fh.write("\n".join(lines) + "\n")
            os.chmod(path, 0o600)
        self.step(f"accounts: {len(new_accounts)} created, {len(DEMO_ACCOUNTS)} in all", started)
        if options["scale"]:
            demo.build_city(scale=options["scale"], say=self.stdout.write)
        started = time.perf_counter()
        self._seed_households(options["households"])
        from relief.demo import seed_relief_demo  # the social-assistance demo data (standards, cases)

        for line in seed_relief_demo():
            self.stdout.write(line)
        from welfare.demo import seed_welfare_demo  # orphans, disability subsidies, child supervisors

        with transaction.atomic():
            for line in seed_welfare_demo():
                self.stdout.write(line)
        self._seed_registries()
        self.step("small demo data of every app: loaded", started)
        if demo.city_built():
            # The city's half year, paid; this month's runs are left to the schedule and the finance officers.
            maker, checker = User.objects.get(username="demo_finance"), User.objects.get(username="demo_finance2")
            started = time.perf_counter()
            approved = demo.pay_half_year(
                maker=maker, checker=checker, say=self.stdout.write, compute_here=options["compute_here"]
            )
            self.step(f"demo payouts January–June 2020: {approved} runs approved now", started)
            return
        from payouts.demo import seed_payouts_demo  # this month's runs, computed in-process

        for line in seed_payouts_demo():
            self.stdout.write(line)

    @transaction.atomic
    def _seed_registries(self) -> None:
        """Social organizations, marriages and roads (each app's ``demo.seed``, idempotent)."""
        from marriage import demo as marriage_demo
        from placenames import demo as placenames_demo
        from social_orgs import demo as social_orgs_demo

        for label, seed in [
            ("social organizations", social_orgs_demo.seed),
            ("marriages", marriage_demo.seed),
            ("roads", placenames_demo.seed),
        ]:
            made = seed()
            if made:
                self.stdout.write(f"demo {label}: {made} created")

    @transaction.atomic
    def _seed_households(self, per_subdistrict: int) -> None:
        actor = User.objects.get(username="demo_district_approver")
        made = 0
        for subdistrict in ("370202001", "370202002"):
            for n in range(per_subdistrict):
                # One generator per household: the same household comes out on every run.
                rng = random.Random(f"{subdistrict}-{n}")  # noqa: S311 - demo data, not security
                community = f"{subdistrict}{(n % 2) + 1:03d}"
                seq = int(subdistrict[-1]) * 100 + n
                head_birth = datetime.date(1950 + rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 29))
                head_id = demo_id_number("370202", head_birth, seq, male=True)
                if Person.objects.filter(id_number=head_id).exists():
                    continue
                head = person_create(
                    actor=actor,
                    id_number=head_id,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    phone=f"138{rng.randrange(10**8):08d}",
                )
                members = [MemberSpec(person=head, relationship=Relationship.HEAD)]
                for k, rel in enumerate((Relationship.SPOUSE, Relationship.CHILD)[: 1 + n % 2]):
                    birth = head_birth.replace(year=head_birth.year + (1 if rel == Relationship.SPOUSE else 26))
                    person = person_create(
                        actor=actor,
                        id_number=demo_id_number("370202", birth, seq + 50 + k, male=rel == Relationship.CHILD),
                        name=head.name[0] + rng.choice(GIVEN) + rng.choice(GIVEN),
                    )
                    members.append(MemberSpec(person=person, relationship=rel))
                household_create(
                    actor=actor,
                    community=community,
                    address=f"演示路{n + 1}号",
                    area_type="urban",
                    head=head,
                    members=members,
                    bank_name="演示银行",
                    bank_account=f"6222{rng.randrange(10**12):012d}",
                )
                made += 1
        if made:
            self.stdout.write(f"demo households: {made} created")
