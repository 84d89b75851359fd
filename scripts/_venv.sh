# Sourced by the scripts beside it: make .venv hold exactly the versions in the lock file
# (requirements.txt for the bot, requirements-test.txt for the tests; made by ./scripts/lock).
# Installs only when that lock file changed since the last install, so repeat runs start at once.
# The project itself is not installed: it runs from this folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extra="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Mesocare needs Python 3.11 or newer as '$python' (set PYTHON=/path/to/python3.11)." >&2
    exit 1
fi
lock="requirements${extra:+-$extra}.txt"
if ! grep -qxF "$("$python" scripts/dependency_digest.py)" "$lock"; then
    echo "The dependencies in pyproject.toml changed since $lock was made:" \
        "run ./scripts/lock, then commit pyproject.toml and the lock files." >&2
    exit 1
fi
# (A .venv without pip is what a failed first try leaves behind: make it again.)
if ! .venv/bin/python -m pip --version >/dev/null 2>&1 && ! "$python" -m venv --clear .venv; then
    echo "Could not create .venv; on Debian or Ubuntu: sudo apt install python3-venv" >&2
    exit 1
fi
stamp=".venv/.installed${extra:+-$extra}"
want="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        --require-hashes --no-deps -r "$lock"
    echo "$want" > "$stamp"
fi
