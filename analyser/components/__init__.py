"""spaCy pipeline components (registered factories): structure, sections, spoilers, sentiment."""
