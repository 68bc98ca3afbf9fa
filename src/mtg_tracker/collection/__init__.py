"""Collections: binders, decks and wishlists of printings, CSV import/export, value over time."""
