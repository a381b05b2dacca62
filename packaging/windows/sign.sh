#!/usr/bin/env bash
# Authenticode-signs Windows executables in place with osslsigncode.
# Usage: packaging/windows/sign.sh FILE.exe...
#
# The certificate (never commit one) comes from the environment:
#   SIGN_PKCS12=path/to/cert.pfx            certificate + key in one PKCS#12 file, or
#   SIGN_CERT=cert.pem SIGN_KEY=key.pem     certificate chain and private key (PEM or DER)
# and its password, if any, from
#   SIGN_PASSWORD_FILE=path                 a file holding the password, or
#   SIGN_PASSWORD_ENV=NAME                  the name of an environment variable holding it
# On Windows, with signtool instead of osslsigncode, the certificate may
# instead be one in the user's certificate store:
#   SIGN_CERT_SHA1=THUMBPRINT               (import the .pfx first, e.g. Import-PfxCertificate)
# Optional: SIGN_TIMESTAMP_URL=http://timestamp.digicert.com (RFC 3161 server;
# without it the signature expires with the certificate).
# The password is handed to osslsigncode through a pipe, never as an argument.
set -euo pipefail

die() { echo "sign: $*" >&2; exit 1; }

[ $# -gt 0 ] || die "usage: $0 FILE.exe..."

if [ -n "${SIGN_CERT_SHA1:-}" ]; then
  command -v signtool >/dev/null || die "SIGN_CERT_SHA1 needs signtool (Windows SDK) on PATH"
  ts=()
  [ -z "${SIGN_TIMESTAMP_URL:-}" ] || ts=(/tr "$SIGN_TIMESTAMP_URL" /td SHA256)
  for f in "$@"; do
    # Git Bash would turn /options into paths without MSYS_NO_PATHCONV.
    MSYS_NO_PATHCONV=1 MSYS2_ARG_CONV_EXCL='*' \
      signtool sign /sha1 "$SIGN_CERT_SHA1" /fd SHA256 "${ts[@]}" /d "Credential Workbench" "$f" ||
      die "signtool could not sign $f with certificate $SIGN_CERT_SHA1"
    echo "==> signed $f"
  done
  exit 0
fi

command -v osslsigncode >/dev/null || die "osslsigncode not found (Debian: apt-get install osslsigncode)"

cert_args=()
if [ -n "${SIGN_PKCS12:-}" ]; then
  [ -r "$SIGN_PKCS12" ] || die "SIGN_PKCS12=$SIGN_PKCS12 is not a readable file"
  cert_args=(-pkcs12 "$SIGN_PKCS12")
elif [ -n "${SIGN_CERT:-}" ] || [ -n "${SIGN_KEY:-}" ]; then
  [ -r "${SIGN_CERT:-}" ] || die "SIGN_CERT must name a readable certificate file (PEM or DER)"
  [ -r "${SIGN_KEY:-}" ] || die "SIGN_KEY must name a readable private key file (PEM or DER)"
  cert_args=(-certs "$SIGN_CERT" -key "$SIGN_KEY")
else
  die "no certificate: set SIGN_PKCS12, or SIGN_CERT and SIGN_KEY"
fi

password=""
if [ -n "${SIGN_PASSWORD_FILE:-}" ]; then
  [ -r "$SIGN_PASSWORD_FILE" ] || die "SIGN_PASSWORD_FILE=$SIGN_PASSWORD_FILE is not a readable file"
  password=$(<"$SIGN_PASSWORD_FILE")
elif [ -n "${SIGN_PASSWORD_ENV:-}" ]; then
  [[ $SIGN_PASSWORD_ENV =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "SIGN_PASSWORD_ENV must be a variable name, not the password"
  [ -n "${!SIGN_PASSWORD_ENV+set}" ] || die "SIGN_PASSWORD_ENV names $SIGN_PASSWORD_ENV, which is not set"
  password=${!SIGN_PASSWORD_ENV}
fi

ts_args=()
[ -z "${SIGN_TIMESTAMP_URL:-}" ] || ts_args=(-ts "$SIGN_TIMESTAMP_URL")

# sign_one IN OUT. printf is a builtin: the password reaches osslsigncode
# through a pipe only (and osslsigncode rejects an empty password file, so an
# unencrypted key gets none).
sign_one() {
  local common=("${cert_args[@]}" -n "Credential Workbench" -i "https://github.com/credworkbench/credworkbench"
    -h sha256 "${ts_args[@]}" -in "$1" -out "$2")
  if [ -n "$password" ]; then
    osslsigncode sign -readpass <(printf '%s' "$password") "${common[@]}"
  else
    osslsigncode sign "${common[@]}"
  fi
}

for f in "$@"; do
  [ -f "$f" ] || die "$f: no such file"
  tmp="$f.signing"
  if ! sign_one "$f" "$tmp" >/dev/null; then
    rm -f "$tmp"
    die "signing $f failed (wrong password or certificate? see the osslsigncode message above)"
  fi
  mv "$tmp" "$f"
  echo "==> signed $f"
done
