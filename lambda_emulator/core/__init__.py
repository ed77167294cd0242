"""Pure logic: no HTTP, no storage, no system clock; everything here is handed ``now``."""
