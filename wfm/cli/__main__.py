"""``python -m wfm.cli``: the same as the ``wfm`` command."""

import sys

from wfm.cli import main

sys.exit(main())
