"""Automatic checks (`heliograph probe`): run them, store the results, open and resolve
incident files from them."""
