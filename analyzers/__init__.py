"""Pure analyzers: (path, bytes) -> FileAnalysis. No I/O."""
