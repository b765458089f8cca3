"""`python -m rrp` runs the same command line as the `rrp` script."""

from rrp.cli import main

if __name__ == "__main__":
    main()
