"""A generated block inside a Markdown document, and the management command that writes it or
checks that it matches the code (`--check`)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def replace_block(current: str, begin: str, end: str, body: str) -> str:
    """`current` with the text between the markers `begin` and `end` replaced by `body`
    (the block is appended when the markers are missing)."""
    block = f"{begin}\n{body}\n{end}"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        _, tail = rest.split(end, 1)
        return head + block + tail
    return current.rstrip() + "\n\n" + block + "\n"


class GeneratedDocCommand(BaseCommand):
    """Subclasses name the command, the document (relative to the project), its title when new,
    and `render_document(current)`."""

    command = ""
    document = ""
    title = ""

    def render_document(self, current: str) -> str:
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if the file is stale.")
        parser.add_argument("--path", default=str(settings.PROJECT_DIR / self.document))

    def handle(self, *args, check, path, **options):
        target = Path(path)
        current = target.read_text() if target.exists() else f"# {self.title}\n"
        wanted = self.render_document(current)
        if check:
            if wanted != current:
                raise CommandError(f"{target} is stale: run `ketaclinic {self.command}`.")
            self.stdout.write(f"{self.document} matches the code.")
            return
        target.write_text(wanted)
        self.stdout.write(f"Wrote {target}")
