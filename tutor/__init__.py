"""The Conversation Tutor's engines: the offline grammar checker, topics and levels, the LLM provider and coach."""
