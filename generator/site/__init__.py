"""Building a site: orchestration (build), URLs and output paths (paths), the atomic
replacement of the output folder (write), worker processes (parallel) and the memo that
lets `serve` redo only what changed."""
