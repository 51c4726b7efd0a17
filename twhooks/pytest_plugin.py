"""pytest plugin of twhooks (registered through the ``pytest11`` entry point)."""
