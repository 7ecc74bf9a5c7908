"""``python -m sdv_fairdistill``: the same as the ``sdv-fairdistill`` command."""

import sys

from sdv_fairdistill.cli import main

sys.exit(main())
