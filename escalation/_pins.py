"""sha256 of the model files this package ships.

:func:`escalation.load_model` unpickles a ``.joblib`` file without ``trusted=True``
only if its sha256 is listed here. The release step updates this file together with
``models/``; a test checks that both agree.
"""

PINNED_SHA256: dict[str, str] = {
    "escalation-v1.joblib": "dc56de871c512b9c835b7becfbe25e972b120766edb5a426e4962b22ca73a2e0",
}
