"""One module per CLI command. Each defines ``register(subparsers)`` which adds its parser and sets
``func`` to a function of the parsed args returning an exit code. Modules are discovered automatically."""
