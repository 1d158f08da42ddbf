"""The language stage for Mandarin text: the pipeline (words by jieba, sentences, question types),
fillers, trackers and next steps. `nlp.sentences` sends each Chinese turn here (a turn is Chinese by
its writing, `transcription.scripts.is_chinese_text`); everything downstream sees the same
`Sentence`s, questions, tracker hits and next steps as for English."""
