"""Judging pronunciation: G2P, the phoneme set, sequence alignment, word levels, coach tips, practice texts, reference audio."""
