"""Plain typed data shared by every layer. No I/O, no imports beyond msgspec."""
