"""The ``gdprguard`` command line: thin Typer shells over the services."""
