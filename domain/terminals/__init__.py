"""Payment terminals: pairing in two steps, a credential per terminal, its status."""
