"""Local format overrides (``FORMAT_MODULE_PATH``): every form takes and shows dates as ISO (2020-04-01).

A ``<input type="date">`` accepts only ``YYYY-MM-DD`` whatever the browser's language; Django
fills a date field with the first of the active language's ``DATE_INPUT_FORMATS``, which for
Chinese is ``2020/04/01`` — a value the browser rejects (the field shows empty). ISO comes
first here in every language the portal speaks; the other forms are still accepted as typed.
"""
