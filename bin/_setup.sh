# Shared by bin/run and bin/test: find Python 3.12+, make .venv, install packages.
# Sourced, not run. Exits with a clear message when something cannot be had.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1mcoachloop:\033[0m %s\n' "$*" >&2; }

python_ok() {  # prints the path of a working interpreter of 3.12 or newer
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 \
    && "$1" -c 'import sys; print(sys.executable)'
}

find_python() {
  local c
  for c in "${PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$c" ] && python_ok "$c" && return 0
  done
  # pyenv keeps other versions off PATH until they are selected: look there too.
  local root; root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
  for c in "$root"/versions/3.13*/bin/python3.13 "$root"/versions/3.12*/bin/python3.12 \
           /usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12; do
    [ -x "$c" ] && python_ok "$c" && return 0
  done
  return 1
}

ensure_venv() {  # $1: the pip extra to install ("" or "dev")
  local extra="$1" py stamp want
  if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python >/dev/null; then
    py="$(find_python)" || {
      say "Coachloop needs Python 3.12 or newer (Django 6.1 requires it), and none was found."
      say "Install one, for example 'apt-get install python3.12' or 'pyenv install 3.13', or set PYTHON=/path/to/python3.12."
      exit 1
    }
    say "creating .venv with $py"
    rm -rf .venv
    "$py" -m venv .venv
  fi
  want="$(cat pyproject.toml package-lock.json | sha256sum | cut -c1-16)-$extra"
  stamp=".venv/.coachloop-installed"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Python packages into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    if [ -n "$extra" ]; then
      .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[$extra]"
    else
      .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
    fi
    if [ -f package-lock.json ]; then
      command -v npm >/dev/null || { say "Node.js with npm is needed for the front-end packages (apt-get install nodejs npm)."; exit 1; }
      say "installing front-end packages from npm"
      npm ci --no-audit --no-fund --loglevel=error
    fi
    echo "$want" > "$stamp"
  fi
}
