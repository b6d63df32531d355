"""`python -m crmreports` is the `crmreports` command."""
import sys

from crmreports.cli import main

sys.exit(main())
