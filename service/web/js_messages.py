"""The words the page scripts (`static/js/*.js`) write after a page has loaded: upload progress,
live call status, search counts, copy buttons, the mention picker. They are marked here, so the one
catalogue (`service/web/locale`) holds them too, and `base.html` puts this page's language's table
into every page (`<script type="application/json" id="i18n">`) for `static/js/i18n.js`:

    t("Could not start: %(error)s", {error: ...})     a message, placeholders by name (%% is a %)
    tn("%(n)s person matches", "%(n)s people match", n)  a count: the English rule picks the msgid
    tp("call status", status)                           a code shown as a word (pgettext)

An English page gets an empty table (the scripts' own English is the text); a message missing from
the table stays English. A script's message is added here and in the script with the same text.
"""

from __future__ import annotations

from service.core.i18n import N_

MESSAGES = (
    # library.js: upload and analysis progress
    N_("uploading"), N_("uploading %(pct)s%%"), N_("upload of %(name)s"), N_("analysis of %(name)s"),
    N_("the upload was interrupted (network error)"), N_("open"), N_("analysis failed: %(error)s"),
    N_("unknown error"), N_("analysis progress"), N_("The analysis will run again."),
    N_("Next try at %(time)s UTC."),
    # call.js, call_search.js, comments.js, clips.js, copy.js, mentions.js
    N_("Type 2 letters or more"), N_("No matches"), N_("%(current)s of %(total)s"),
    N_(" (first %(shown)s shown)"), N_("%(n)s search matches"),
    N_("About the selected words, %(from)s–%(to)s."),
    N_("Select some words of the transcript first (drag across them), then press the button again."),
    N_("Copied."), N_("Selected: press Ctrl+C (or ⌘C) to copy."), N_("Select the text and copy it (Ctrl+C)."),
    N_("%(n)s unread"),
    # mention_picker.js
    N_("People to mention"), N_(" · cannot see this call (not notified)"),
    N_("%(n)s person matches: up and down arrows to choose, Enter to pick, Escape to close."),
    N_("%(n)s people match: up and down arrows to choose, Enter to pick, Escape to close."),
    # live.js
    N_("Default microphone"), N_("Microphone %(n)s"), N_("silent"),
    N_("Could not connect to Talktrack's live service."),
    N_("Listening. Each sentence appears about a second after it ends."),
    N_("The connection closed before the call was stored."), N_("The live connection closed (%(reason)s)."),
    N_("code %(code)s"), N_("Stopped."), N_("Rep"), N_("Customer"), N_("Speaker %(id)s"),
    N_("open question"), N_("yes/no question"), N_("choice question"), N_("declarative question"),
    N_("tag question"), N_("Why:"), N_("Basis: %(trigger)s"), N_("%(n)s (%(open)s open)"), N_("%(n)s s"),
    N_("Stopped after %(time)s. The call is stored and being analysed."), N_("Open the call"),
    N_("Calls library"), N_("Stopped. No audio arrived, so nothing was stored."),
    N_("The call could not be stored. Please try again."),
    N_("This browser cannot stream the microphone here: it needs a current browser, and the page must be "
       "served over https (or from localhost)."),
    N_("Asking for the microphone…"), N_("Connecting…"), N_("Starting the transcriber…"),
    N_("The microphone was not allowed. Allow it in the browser's site settings and press Start again."),
    N_("No such microphone. Choose another input and press Start again."), N_("Could not start: %(error)s"),
    N_("Ready."), N_("Finishing the transcript and storing the call…"),
    # trends.js, insights.js: chart tooltips and legends
    N_("Week of %(week)s"), N_("%(n)s call by %(name)s"), N_("%(n)s calls by %(name)s"),
    N_("%(n)s team call"), N_("%(n)s team calls"),
    N_("95%% interval"), N_("estimate"), N_("ratio %(ratio)s (95%% CI %(low)s to %(high)s)"),
)

# (context, codes): codes the scripts show as words, marked where the pages show them too
# (`service.web.pages.CODE_WORDS`, `service.web.call_pages.CALL_PAGE_WORDS`).
CODED = (
    ("call status", ("queued", "processing", "retrying", "done", "failed")),
    ("analysis step", ("transcribe", "diarize", "analyze")),
)
