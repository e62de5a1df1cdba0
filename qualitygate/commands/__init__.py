"""One module per subcommand; each exposes a typed ``run(...) -> int`` returning the exit code."""
