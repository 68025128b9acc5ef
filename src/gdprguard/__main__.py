"""``python -m gdprguard``: the same as the ``gdprguard`` command."""

import sys

from gdprguard.cli.main import main

sys.exit(main())
