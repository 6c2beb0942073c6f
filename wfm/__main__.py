"""``python -m wfm``: the same as the ``wfm`` command."""

import sys

from wfm.cli import main

sys.exit(main())
