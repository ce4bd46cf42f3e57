"""One module per CLI command, each with main(args); generator/cli.py registers them.
Authoring helpers shared by new, update and resolve are in authoring.py; `init` copies
scaffold/."""
