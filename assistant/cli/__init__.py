"""The command line: thin commands that check their arguments and call the library."""
