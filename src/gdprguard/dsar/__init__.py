"""Data-subject requests: register, locate, export and erase."""
