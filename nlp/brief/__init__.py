"""The call brief: chapters, grounded items and a follow-up draft (see `nlp.brief.types`)."""
