"""`python -m crmreports` is the `crmreports` command."""

import sys

from .cli import main

if __name__ == "__main__":  # guarded: the pack's PDF workers are spawned and import the main module
    sys.exit(main())
