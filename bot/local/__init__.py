"""The command line's use cases: generate and pr on a local repository."""
