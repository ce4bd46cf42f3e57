"""Subscriber notifications (`heliograph notify`): what happened since the last run, sent
exactly once to each channel declared in content/notify.yaml (docs/notify.md).

config (notify.yaml, secrets from the environment) -> events (from the derived state)
-> payloads (one shape per channel type) -> deliver (transport, retries, the state file).
"""
