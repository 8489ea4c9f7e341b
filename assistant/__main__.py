"""`python -m assistant` is the same as the `ssl-assistant` command."""

from assistant.cli import main

raise SystemExit(main())
