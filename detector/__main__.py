"""``python -m detector`` runs the command line."""

import sys

from detector.cli import main

sys.exit(main())
