"""Reading content: YAML with positions, loading records into the catalog, the problems an
editor is told about, which pages the content makes and their URLs."""
