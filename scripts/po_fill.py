"""Fill msgstr entries of a catalogue from a YAML mapping {msgid: translation}.

    python scripts/po_fill.py app/accounts/translations/ja/LC_MESSAGES/messages.po ja.yaml

Existing translations are overwritten only when the mapping names them; untranslated
entries left over are listed, so that nothing ships half-translated.
"""

import sys

import yaml
from babel.messages.pofile import read_po, write_po

po_path, mapping_path = sys.argv[1], sys.argv[2]
with open(mapping_path, encoding="utf-8") as fh:
    mapping = yaml.safe_load(fh) or {}
with open(po_path, "rb") as fh:
    catalog = read_po(fh)
for message in catalog:
    if message.id and message.id in mapping:
        message.string = mapping[message.id]
        message.flags.discard("fuzzy")
with open(po_path, "wb") as fh:
    write_po(fh, catalog, width=0, omit_header=False)
missing = [m.id for m in catalog if m.id and not m.string]
for msgid in missing:
    print("untranslated:", msgid)
sys.exit(1 if missing else 0)
