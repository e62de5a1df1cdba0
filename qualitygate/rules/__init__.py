"""One module per gate family: each turns the reports of a gate's role into a measured value and the
evidence that explains it. Pure functions: no I/O, no clock, no environment."""
