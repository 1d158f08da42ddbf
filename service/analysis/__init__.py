"""How the service runs the analysis pipeline: on a file with options (`files`, used by the CLI
and the jobs), and the options a stored call gets from its organization's definitions
(`call_options`)."""
