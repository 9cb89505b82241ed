"""`python -m site_builder` does what the `site-builder` command does."""

import sys

from .cli import main

sys.exit(main())
