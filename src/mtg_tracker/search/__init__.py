"""Card search: Scryfall's query language parsed, compiled to one SQL statement, and served as /cards/search."""
