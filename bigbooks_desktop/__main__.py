"""`python -m bigbooks_desktop`: the same entry point as the `bigbooks` command."""

from bigbooks_desktop.cli import main

raise SystemExit(main())
