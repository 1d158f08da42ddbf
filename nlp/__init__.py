"""The language stage: sentences, question types, trackers, next steps, fillers, call metrics.

Entry points: `nlp.language.analyze_language(transcript)` (everything the language stage finds),
`nlp.fillers.count_fillers(words)`, `nlp.trackers.load_trackers(path)`, and the spaCy component
`question_classifier` (registered by importing `nlp.questions`). Importing this package loads no
model.
"""
