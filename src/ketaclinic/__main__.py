"""Run `python -m ketaclinic ...` like the `ketaclinic` command."""

from ketaclinic.config.cli import main

main()
