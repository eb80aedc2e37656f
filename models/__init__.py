"""Models: spaCy pipelines, the relation component, normalisers, the rules baseline."""
