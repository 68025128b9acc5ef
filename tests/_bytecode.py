"""Test processes keep the bytecode they compile, even where ``PYTHONDONTWRITEBYTECODE`` is set.

Containers and CI images often set that variable. A test run then compiles gdprguard's modules
afresh in every process, and pytest rewrites the asserts of every test module afresh in every
xdist worker (each worker collects the whole suite): about seven seconds of CPU per worker, on
every run. Python validates a cached file against its source's size and modification time, so a
kept file is only ever used for the source it was compiled from: what runs is the same.

Importing this module turns writing back on for this process; ``tests/conftest.py`` imports it
before anything of gdprguard. The files go where Python always puts them (``__pycache__``
directories, which git ignores) or under ``PYTHONPYCACHEPREFIX`` when that is set. Child
processes (the CLI run as a subprocess) keep the variable, so they write nothing, but they read
what the test processes wrote.
"""

from __future__ import annotations

import sys

sys.dont_write_bytecode = False
