"""One module per resource: load from the store, call the core, save, emit events."""
