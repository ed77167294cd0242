"""Sandboxes: one emulator serving many isolated worlds, each a ``Runtime`` of its own."""
