"""The tables: their catalogue (names, columns, schemas) and where they are stored."""
