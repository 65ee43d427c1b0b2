"""``python -m tools.lms``."""

import sys

from tools.lms.cli import main

sys.exit(main())
