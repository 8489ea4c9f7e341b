"""Provides redact_private_keys(): private key material removed from any text before it goes further.

Applied where text enters (a paste, before matching) so no evidence excerpt, report, history row or
screen can quote a key that was pasted by mistake.
"""

from __future__ import annotations

import re

KEY_REMOVED = "-----PRIVATE KEY REMOVED-----"
"""Stands where a key was; shaped like PEM armour so it reads the same in every language."""

_ARMOUR = "PRIVATE KEY-----"
"""The tail of every private key armour line: PKCS#8, RSA, EC, ENCRYPTED, OPENSSH…"""

# A complete block, or one cut short by the paste: everything to its end line or to the end of text.
_PRIVATE_KEY = re.compile(rf"-----BEGIN ((?:[A-Z0-9]+ )*){_ARMOUR}.*?(?:-----END \1{_ARMOUR}|\Z)", re.DOTALL)


def redact_private_keys(text: str) -> str:
    return _PRIVATE_KEY.sub(KEY_REMOVED, text) if _ARMOUR in text else text
