"""Content files -> a validated model: YAML with positions, times and zones, the model's
frozen dataclasses, and the loader that checks every rule with file and line."""
