"""Subcommands of `python -m core`: each module here has `register(commands)` and is found
automatically, so adding a command is adding a module."""
