"""Speech in: audio decoding and checks, recognizer backends, CTC alignment, the transformers import guard."""
