"""Webhooks: signed delivery of call events to the URLs an organization registered (`delivery`),
and the rule for which addresses a delivery may reach (`targets`)."""
