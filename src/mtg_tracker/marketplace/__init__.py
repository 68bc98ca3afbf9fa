"""Marketplace: listings, orders, the double-entry ledger and its integrity audit."""
