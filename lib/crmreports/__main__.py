"""`python -m crmreports` is the `crmreports` command."""

from .cli import console

if __name__ == "__main__":  # guarded: the pack's PDF workers are spawned and import the main module
    console()
