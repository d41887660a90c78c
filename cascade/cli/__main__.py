"""`python -m cascade.cli`: the same as the `cascade` command."""

from cascade.cli.main import main

main()
