# Shared by demo.sh and test.sh: make sure .venv exists with Python 3.11+ and pip installs work.
# Usage: source scripts/_venv.sh EXTRAS   (EXTRAS is "" or "[test]")

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # Install Debian packages only when something is missing; apt-get update once per run.
  echo "Installing Debian packages: $*"
  if [ -z "${APT_UPDATED:-}" ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "The Open Cities Toolkit needs Python 3.11 or newer; $PYTHON is $("$PYTHON" --version)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv --help >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
    apt_install python3-venv
  fi
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --editable ".$1"
# Map pictures drawn on the server (PNG) need the cairo library, and DejaVu fonts for their text;
# PDF reports (WeasyPrint) need Pango and HarfBuzz's subsetting library on top.
MISSING_DEBIAN=()
for package in libcairo2 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
  dpkg -s "$package" >/dev/null 2>&1 || MISSING_DEBIAN+=("$package")
done
if [ "${#MISSING_DEBIAN[@]}" -gt 0 ]; then
  apt_install "${MISSING_DEBIAN[@]}"
fi
