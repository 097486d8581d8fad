"""ketaclinic: the system a ketamine and esketamine clinic runs on."""

__version__ = "0.1.0"
