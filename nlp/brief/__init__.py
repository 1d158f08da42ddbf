"""The call brief: chapters, grounded items and a follow-up draft (see `nlp.brief.types`, docs/brief.md).

`build.build_brief` puts it together from the transcript and the language stage's findings:
`context` (sentences, roles, embeddings shared with the trackers through `vectors`), `chapters`,
`items` (pains, needs, objections, budget, prices; scored over `features` with `cues`,
`exemplars` and `weights`), `competitors`, `steps` (next steps, owners, `dates` for due dates),
`unanswered` (customer questions), `email` (the follow-up draft); `spans` keeps every item's text
to words that were said, with their times. Importing this package loads nothing.
"""
