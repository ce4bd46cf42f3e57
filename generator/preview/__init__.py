"""`heliograph serve`'s parts: the in-memory rebuild, the HTTP server with live reload,
and the file watcher. commands/serve.py ties them together."""
