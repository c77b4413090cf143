"""Signed, versioned packages of ARAs: freeze one into a ZIP, verify one offline.

    freeze(...)  -> packages/<slug>/<slug>-v<N>.zip + .manifest.json (in git) + .sig
    verify(zip)  -> VerificationReport (hashes, signature, RO-Crate, signer trust)

See docs/packages.md for the manifest fields, the signature scheme and the RO-Crate mapping.
"""

from researchos.package.freeze import FreezeResult, freeze
from researchos.package.manifest import FreezeExtra, PackageManifest, RunInput
from researchos.package.service import PackageService
from researchos.package.signing import KeyStore, PublicKey
from researchos.package.verify import VerificationReport, verify
from researchos.package.versions import PackageInfo

__all__ = [
    "FreezeExtra",
    "FreezeResult",
    "KeyStore",
    "PackageInfo",
    "PackageManifest",
    "PackageService",
    "PublicKey",
    "RunInput",
    "VerificationReport",
    "freeze",
    "verify",
]
