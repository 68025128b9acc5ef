"""``python -m bench.detection.public``: score the public corpora (see :mod:`.evaluate`)."""

import sys

from bench.detection.public.evaluate import main

sys.exit(main())
