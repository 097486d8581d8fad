"""The `ketaclinic` command: any Django management command with the project's settings."""

import os
import sys

from ketaclinic.core.context import acting


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
    # Lazy: Django's management machinery reads the settings module chosen just above.
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "ketaclinic"
    # Everything a command does is audited as a command-line action.
    with acting("cli"):
        execute_from_command_line(argv)


if __name__ == "__main__":
    main()
