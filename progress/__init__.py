"""A learner's history: storage (schema, queries, export), learner identity, spaced repetition."""
