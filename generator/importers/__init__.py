"""`heliograph import`: another status page tool's data as Heliograph content files.

One module per source (statuspage, cstate, upptime) reads its untrusted input into an
`Imported` (plain data, model.py); files.py words it as site.yaml, components.yaml and
incident files and writes them with the author commands' helpers, after the build's own
loader has accepted every one.
"""
