"""sha256 of the model files this package ships.

:func:`escalation.load_model` unpickles a ``.joblib`` file without ``trusted=True``
only if its sha256 is listed here. The release step updates this file together with
``models/``; a test checks that both agree.
"""

PINNED_SHA256: dict[str, str] = {}
