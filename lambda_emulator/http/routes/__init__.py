"""One module per area of the API; each exports ``OPERATIONS``."""
