"""`python -m server` is the `cjeune` command."""

from server.cli import main

main()
