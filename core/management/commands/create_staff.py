from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from core.roles import Role
from core.services import staff_create


class Command(BaseCommand):
    help = (
        "Create a staff account with one role and one division. The password must pass the same "
        "policy as the forms' (AUTH_PASSWORD_VALIDATORS); a weak one is refused and nothing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--division", required=True, help="division code (admin and leader: the city, 370200)")
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="the person's full name")
        parser.add_argument(
            "--must-change-password",
            action="store_true",
            help="the owner must choose a new password at the first browser login (no API token before that)",
        )

    def handle(self, *args, **options):
        try:
            user = staff_create(
                username=options["username"],
                role=options["role"],
                division_code=options["division"],
                password=options["password"],
                full_name=options["name"],
                must_change_password=options["must_change_password"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"created {user.username} ({user.role}, {user.division_id})")
