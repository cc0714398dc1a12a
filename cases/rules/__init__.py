"""The procedure and the law as data: handbook, vocabulary, guards, settings, input checks."""
