# Sourced by ./run and ./test: make .venv with the project installed, idempotently.
# Usage: bootstrap <extra>   (extra: "" for the app, "test" for the test tools and system programs)

_need_root() { [ "$(id -u)" = 0 ] && echo "" || { command -v sudo >/dev/null && echo sudo; }; }

_apt_install() {
    # System programs the tests drive for realism (nginx, openssl s_server, tmux, chromium).
    local missing=() cmd pkg
    for pair in "$@"; do
        cmd=${pair%%:*}; pkg=${pair##*:}
        command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local as; as=$(_need_root) || true
    if ! command -v apt-get >/dev/null || { [ "$(id -u)" != 0 ] && [ -z "$as" ]; }; then
        echo "note: please install ${missing[*]} (needed by some tests)" >&2
        return 0
    fi
    echo "installing system packages: ${missing[*]}" >&2
    $as apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $as apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

bootstrap() {
    local extra=${1:-}
    local python=${PYTHON:-python3}
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "SSL Assistant needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
        exit 2
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv 2>/dev/null || {
            _apt_install "nonexistent-venv-probe:python3-venv"
            rm -rf .venv && "$python" -m venv .venv
        }
    fi
    local spec="." stamp=".venv/.installed"
    [ -n "$extra" ] && spec=".[$extra]" && stamp=".venv/.installed-$extra"
    local want; want=$(cat pyproject.toml | sha256sum | cut -c1-16)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
        .venv/bin/python -m pip install -q -e "$spec" 2> >(grep -v "^WARNING: Location" >&2)
        echo "$want" > "$stamp"
    fi
    if [ "$extra" = test ]; then
        _apt_install openssl:openssl nginx:nginx tmux:tmux chromium:chromium
    fi
}
