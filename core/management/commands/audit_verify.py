"""``python manage.py audit_verify``: check every audit table's chain and say what is broken.

Exit status 1 when anything is: a row changed, rows removed, rows added outside the chain or
into a sealed transaction, a link removed or changed. The result is recorded (the auditor's
page, the security log) unless ``--dry-run``.
"""

from django.core.management.base import BaseCommand, CommandError

from core import auditchain, services


class Command(BaseCommand):
    help = "Verify the audit tables' hash chains; report the first broken link of each table."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="check only; record nothing")

    def handle(self, *args, **options):
        if options["dry_run"]:
            report = auditchain.verify()
            ok, first = report.ok, report.first_broken()
            counts = (report.tables, report.rows, report.links)
        else:
            check = services.audit_trail_check()
            ok = check.ok
            first = auditchain.first_broken_of(check.findings)
            counts = (check.tables, check.rows, check.links)
        self.stdout.write("{} tables, {} rows, {} links checked".format(*counts))
        if ok:
            self.stdout.write(self.style.SUCCESS("audit trail intact"))
            return
        for finding in first.values():
            self.stdout.write(self.style.ERROR(auditchain.describe(finding)))
        raise CommandError("audit trail broken")
