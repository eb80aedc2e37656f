"""The relation step: candidate pairs and their features, the classifier, the spaCy component."""
