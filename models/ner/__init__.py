"""Entity recognition: the CRF taggers and their features, the network's stacking input, and
the spaCy Docs they train on."""
