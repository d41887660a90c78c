"""edXML (QCVN 102:2016/BTTTT) in and out: the packages provincial document-exchange systems speak.

- schema.py: the namespace, the element helpers, the date formats and the code lists (priority, business type),
  with the public sources the layout follows;
- organs.py: a unit as an edXML organ (its national `organ_id`, or a marked fallback), DocumentId, Code;
- package.py: one recipient's package of a directive (header, trace, business, the signed original);
- statuses.py: the status messages of an assignment (01–06, 13, 15, 16), from its history;
- export.py: `cascade edxml export`: a package and the status messages per recipient, in a folder;
- reader.py: an incoming package read safely (no network, no entities) and checked for what it must hold;
- draft.py: `cascade edxml import`: an incoming package as a directive file to complete (its basis).

Nothing here sends or fetches anything: the files are handed to the exchange system by whoever runs it.
"""
