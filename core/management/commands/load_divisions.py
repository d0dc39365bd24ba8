from django.core.management.base import BaseCommand

from core.services import divisions_load


class Command(BaseCommand):
    help = "Load Qingdao's administrative divisions (idempotent)."

    def handle(self, *args, **options):
        created, updated = divisions_load()
        self.stdout.write(f"divisions: {created} created, {updated} updated")
