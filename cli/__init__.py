"""Command-line subcommands of ``main.py``; they call ``storage.Project`` like the GUI does."""
