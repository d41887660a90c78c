"""The HTTP API (OpenAPI at /api/docs): what the console's pages use, for scripts with a personal token too."""
