from django.core.management.base import BaseCommand

from documents.fonts import font_path


class Command(BaseCommand):
    help = "Make the printed documents' font instance ahead of time (otherwise the first PDF makes it)."

    def handle(self, *args, **options):
        self.stdout.write(str(font_path()))
