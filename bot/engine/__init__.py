"""The pure core: sources and readers in, a plan of page writes out (no I/O, no process-wide state)."""
