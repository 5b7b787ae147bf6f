#!/bin/sh
# Install stt-engine from this unpacked bundle: verify every file against manifest.json, create
# a venv in PREFIX/venvs/VERSION-BUILD from wheels/ only, check it, place the models, record the
# models dir in PREFIX/stt-engine.env (which every stt-engine command reads), then switch
# PREFIX/current to the new venv in one rename (PREFIX/bin/stt-engine runs PREFIX/current) and
# print how to start it. It never uses the network.
# Over an earlier install it is an upgrade: models, stt-engine.env (settings, API keys) and the
# data dir are kept; the venv in use stays until the new one passes its check, and then becomes
# PREFIX/previous, which `install.sh --rollback` returns to. A venv that an earlier install put
# directly in PREFIX (release 0.1.0) is copied to PREFIX/venvs/ first and becomes the previous one.
# Stopped at any point (even kill -9), the version in use stays runnable and running it again
# finishes the job.
set -eu
# The venv holds this bundle alone: no module path of the shell that runs the installer.
unset PYTHONPATH PYTHONHOME

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=/opt/stt-engine
MODELS_DIR=
PYTHON=
MODELS_ONLY=0
ROLLBACK=0
OFFLINE="this installer never uses the network"

usage() {
  cat <<EOF
usage: install.sh [--prefix DIR] [--models-dir DIR] [--python PATH] [--models-only | --rollback]
  --prefix DIR      install location; the command becomes DIR/bin/stt-engine (default /opt/stt-engine)
  --models-dir DIR  where the models go (default: the models dir of an earlier install to this
                    prefix, else PREFIX/models); recorded in PREFIX/stt-engine.env
  --python PATH     Python to create the venv with (default: python3.X of the bundle, else python3)
  --models-only     verify the bundle and place the models only (e.g. for the container image)
  --rollback        switch DIR back to the venv it used before the last upgrade (again: forward)
$OFFLINE.
EOF
}
say() { echo "install.sh: $*"; }
die() { echo "install.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --models-dir) [ $# -ge 2 ] || die "--models-dir needs a folder"; MODELS_DIR=$2; shift 2 ;;
    --models-dir=*) MODELS_DIR=${1#*=}; shift ;;
    --python) [ $# -ge 2 ] || die "--python needs a path"; PYTHON=$2; shift 2 ;;
    --python=*) PYTHON=${1#*=}; shift ;;
    --models-only) MODELS_ONLY=1; shift ;;
    --rollback) ROLLBACK=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
# Absolute paths: the env file and the systemd unit are read from anywhere.
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
PREFIX=$(absolute "$PREFIX")
[ -z "$MODELS_DIR" ] || MODELS_DIR=$(absolute "$MODELS_DIR")
ENV_FILE=$PREFIX/stt-engine.env
ENV_KEY=STT_ENGINE_MODELS_DIR

# The layout: one venv per installed build in PREFIX/venvs/VERSION-BUILD, marked complete once
# it passed its check; PREFIX/current and PREFIX/previous link to two of them; the command
# PREFIX/bin/stt-engine links to current/bin/stt-engine (so does the systemd unit's ExecStart).
OK_MARK=.stt-engine-ok
ADOPTED_MARK=.stt-engine-adopted
PREVIOUS=
# Point the link $2 at $1 in one rename(2): a new link beside it, renamed over the old one.
relink() {
  python3 -c 'import os, sys
target, link = sys.argv[1:]
staged = link + ".new"
if os.path.lexists(staged):
    os.unlink(staged)
os.symlink(target, staged)
os.replace(staged, link)' "$1" "$2"
}
linked() { if [ -L "$1" ]; then readlink "$1"; fi; }
complete() { [ -f "$PREFIX/$1/$OK_MARK" ]; }
ensure_command() {
  [ "$(linked "$PREFIX/bin/stt-engine")" != ../current/bin/stt-engine ] || return 0
  mkdir -p "$PREFIX/bin"
  relink ../current/bin/stt-engine "$PREFIX/bin/stt-engine"
}

# Make $1 (venvs/ID, complete) the version in use; the one in use before becomes previous.
switch_to() {
  cur=$(linked "$PREFIX/current")
  if [ "$cur" != "$1" ]; then
    PREVIOUS=${cur:-$LEGACY}
    [ -z "$PREVIOUS" ] || relink "$PREVIOUS" "$PREFIX/previous"
    relink "$1" "$PREFIX/current"
    say "switched $PREFIX/current to $1${PREVIOUS:+ (previous: $PREVIOUS)}"
  else
    PREVIOUS=$(linked "$PREFIX/previous")
  fi
  ensure_command
}

# One installer at a time per prefix: a lock folder holding the owner's pid, removed on exit; a
# lock whose owner is gone (killed) is taken over.
take_lock() {
  lock=$PREFIX/.install.lock
  mkdir -p "$PREFIX"
  if ! mkdir "$lock" 2>/dev/null; then
    owner=$(cat "$lock/pid" 2>/dev/null || true)
    if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
      die "another install.sh (pid $owner) is working on $PREFIX; wait for it to end (or remove $lock if it is not install.sh)"
    fi
    say "taking over $lock from an install.sh that stopped${owner:+ (pid $owner)}"
    rm -rf "$lock"
    mkdir "$lock" || die "cannot create $lock"
  fi
  echo $$ >"$lock/pid"
  trap 'rm -rf "$lock"' EXIT
}

# The systemd unit that came with the venv $1 (0.1.0's passed stt-engine.env as EnvironmentFile=).
restore_unit() {
  unit=$PREFIX/$1/stt-engine.service
  if [ -f "$unit" ] && ! cmp -s "$unit" "$PREFIX/stt-engine.service"; then
    cp "$unit" "$PREFIX/stt-engine.service"
    say "$PREFIX/stt-engine.service is $1's unit again; install it before restarting:"
    say "  sudo cp $PREFIX/stt-engine.service /etc/systemd/system/ && sudo systemctl daemon-reload"
  fi
}

rollback() {
  command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
  cur=$(linked "$PREFIX/current")
  prev=$(linked "$PREFIX/previous")
  [ -n "$prev" ] || die "$PREFIX has no previous version to return to ($PREFIX/previous is missing)"
  [ "$prev" != "$cur" ] || die "$PREFIX/previous is the version in use ($cur); nothing to return to"
  complete "$prev" || die "$PREFIX/$prev is not a complete install; $PREFIX was left as it is"
  relink "$prev" "$PREFIX/current"
  [ -z "$cur" ] || relink "$cur" "$PREFIX/previous"
  ensure_command
  restore_unit "$prev"
  say "$PREFIX/current is now $prev (was $cur); restart a running server: sudo systemctl restart stt-engine"
  say "install.sh --rollback --prefix $PREFIX switches back to $cur"
}
if [ "$ROLLBACK" = 1 ]; then
  [ "$MODELS_ONLY" = 0 ] || die "--rollback and --models-only do not go together"
  [ -d "$PREFIX" ] || die "$PREFIX is not an stt-engine install (pass --prefix DIR)"
  take_lock
  rollback
  exit 0
fi
# The models dir an earlier install recorded (the last such line; quotes around it dropped).
recorded_models_dir() {
  [ -f "$ENV_FILE" ] || return 0
  sed -n "s/^$ENV_KEY=//p" "$ENV_FILE" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\\1/"
}
RECORDED=
[ "$MODELS_ONLY" = 1 ] || RECORDED=$(recorded_models_dir)
if [ -z "$MODELS_DIR" ]; then
  if [ -n "$RECORDED" ]; then MODELS_DIR=$RECORDED; else MODELS_DIR=$PREFIX/models; fi
fi

command -v python3 >/dev/null 2>&1 || die "python3 is not installed; install it from the OS media ($OFFLINE)"
[ -f "$HERE/manifest.json" ] || die "$HERE/manifest.json is missing; this is not an unpacked stt-engine bundle"
manifest() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$HERE/manifest.json"; }
TARGET_PY=$(manifest 'd["target"]["python"]')
VERSION=$(manifest 'd["version"]')
if [ -z "$PYTHON" ]; then
  if command -v "python$TARGET_PY" >/dev/null 2>&1; then PYTHON=python$TARGET_PY; else PYTHON=python3; fi
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found ($OFFLINE)"

say "verifying $HERE against manifest.json"
"$PYTHON" - "$HERE" "$MODELS_ONLY" <<'PY' || die "the bundle failed verification (see above); copy it again"
import hashlib, json, os, platform, sys
root, models_only = sys.argv[1], sys.argv[2] == "1"
manifest = json.load(open(os.path.join(root, "manifest.json")))
expected, problems = manifest["files"], []
found = set()
for folder, _dirs, files in os.walk(root):
    for name in files:
        rel = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
        if rel != "manifest.json":
            found.add(rel)
for rel in sorted(found - set(expected)):
    problems.append(rel + ": extra file, not in the manifest")
for rel, want in sorted(expected.items()):
    path = os.path.join(root, rel)
    if rel not in found:
        problems.append(rel + ": missing")
    elif os.path.getsize(path) != want["size"]:
        problems.append("%s: size %d, manifest says %d (truncated?)" % (rel, os.path.getsize(path), want["size"]))
    else:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != want["sha256"]:
            problems.append(rel + ": sha256 mismatch (corrupt or modified)")
target = manifest["target"]
if not models_only:
    here_py = "%d.%d" % sys.version_info[:2]
    if here_py != target["python"]:
        problems.append("target: bundle is for Python %s, %s is Python %s; pass --python /path/to/python%s"
                        % (target["python"], sys.executable, here_py, target["python"]))
    parts = target["platform"].split("_")  # manylinux_2_28_x86_64
    libc = (os.confstr("CS_GNU_LIBC_VERSION") or "") if hasattr(os, "confstr") else ""
    if parts[0] == "manylinux" and libc.startswith("glibc "):
        have = tuple(int(x) for x in libc.split()[1].split(".")[:2])
        if have < (int(parts[1]), int(parts[2])):
            problems.append("target: bundle needs glibc %s.%s, this machine has %s" % (parts[1], parts[2], libc))
    arch = "_".join(parts[3:])
    if arch and platform.machine() != arch:
        problems.append("target: bundle is for %s, this machine is %s" % (arch, platform.machine()))
for line in problems:
    print("  " + line, file=sys.stderr)
if problems:
    sys.exit(1)
print("install.sh: ok: %d files match, target %s %s" % (len(expected), target["python"], target["platform"]))
PY

# Release 0.1.0 put its venv directly in PREFIX. A copy of it in venvs/ (files hard-linked, the
# paths in bin/ and pyvenv.cfg rewritten) becomes the previous version; until the switch,
# PREFIX/bin/stt-engine still runs the original.
LEGACY=
adopt_legacy() {
  if [ ! -f "$PREFIX/pyvenv.cfg" ] || [ -L "$PREFIX/current" ]; then return 0; fi
  old=$("$PREFIX/bin/python" -c 'from importlib.metadata import version; print(version("stt-engine"))') \
    || die "$PREFIX holds a venv without stt-engine; move it away or pick another --prefix"
  LEGACY=venvs/$old
  complete "$LEGACY" && return 0
  say "copying the venv of the install in $PREFIX (stt-engine $old) to $PREFIX/$LEGACY"
  "$PYTHON" - "$PREFIX" "$LEGACY" <<'PY' || die "could not copy the venv in $PREFIX to $PREFIX/$LEGACY; the install in use was not changed"
import os, re, shutil, sys
prefix, rel = sys.argv[1:]
final = os.path.join(prefix, rel)
staging = os.path.join(os.path.dirname(final), "." + os.path.basename(final) + ".adopting")
for leftover in (staging, final):
    if os.path.lexists(leftover):
        shutil.rmtree(leftover)
old_path = re.compile(re.escape(prefix.encode()) + rb"(?=[/'\"\s]|$)", re.M)
def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
def rewrite(src, dst):  # scripts and activate files name the venv's path: point them at the copy
    with open(src, "rb") as handle:
        data = handle.read()
    if not (data.startswith(b"#!") or b"VIRTUAL_ENV" in data or src.endswith("pyvenv.cfg")):
        return link_or_copy(src, dst)
    with open(dst, "wb") as handle:
        handle.write(old_path.sub(final.encode(), data))
    shutil.copymode(src, dst)
os.makedirs(staging)
for name in ("bin", "include", "lib", "lib64", "share", "pyvenv.cfg"):
    src, dst = os.path.join(prefix, name), os.path.join(staging, name)
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
    elif os.path.isfile(src):
        rewrite(src, dst)
    elif os.path.isdir(src):
        copy = rewrite if name == "bin" else link_or_copy
        shutil.copytree(src, dst, symlinks=True, copy_function=copy)
os.symlink("../../stt-engine.env", os.path.join(staging, "stt-engine.env"))
unit = os.path.join(prefix, "stt-engine.service")  # its unit (EnvironmentFile=), for --rollback
if os.path.isfile(unit):
    shutil.copy2(unit, os.path.join(staging, "stt-engine.service"))
open(os.path.join(staging, ".stt-engine-adopted"), "w").close()
os.rename(staging, final)
PY
  "$PREFIX/$LEGACY/bin/stt-engine" --version >/dev/null \
    || die "the copy $PREFIX/$LEGACY does not run; the install in use was not changed"
  echo "$old" >"$PREFIX/$LEGACY/$OK_MARK"
}

# Only this bundle's wheels: no index, no pip configuration or PIP_* settings of this machine.
pip_offline() {
  for var in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done
  PIP_CONFIG_FILE=/dev/null "$NEW/bin/python" -m pip --disable-pip-version-check "$@"
}

# A new venv beside the one in use: created, filled from wheels/, checked, then marked complete.
install_venv() {
  if [ -e "$NEW" ]; then
    say "removing $NEW, left unfinished by an earlier run"
    rm -rf "$NEW"
  fi
  say "creating the venv $NEW with $PYTHON"
  "$PYTHON" -m venv "$NEW" || die "'$PYTHON -m venv' failed: the OS package python$TARGET_PY-venv is missing; install it from the OS media ($OFFLINE)"
  ln -s ../../stt-engine.env "$NEW/stt-engine.env"
  REQUIREMENTS=$(manifest '" ".join(d["install"])')
  say "installing $REQUIREMENTS from wheels/ (no index, no network)"
  pip_offline install --no-index --find-links "$HERE/wheels" $REQUIREMENTS \
    || die "pip could not install from wheels/: a wheel is missing or does not fit this machine ($OFFLINE); the version in use was not changed"
  self_check
  echo "$VERSION" >"$NEW/$OK_MARK"
}

# The new venv must start stt-engine, hold consistent packages and import the server and the
# inference libraries it has before anything switches to it.
self_check() {
  say "checking $NEW before switching to it"
  got=$("$NEW/bin/stt-engine" --version 2>&1) || die "$NEW/bin/stt-engine does not start: $got"
  case "$got" in
    *"version $VERSION") ;;
    *) die "$NEW/bin/stt-engine says '$got', expected version $VERSION" ;;
  esac
  got=$(pip_offline check 2>&1) || die "the new venv's packages do not fit together: $got"
  "$NEW/bin/python" -c 'import importlib.util, stt_engine.server.app
for name in ("ctranslate2", "faster_whisper", "torch"):
    if importlib.util.find_spec(name):
        __import__(name)' || die "the new venv cannot import the server or its inference libraries (above); the version in use was not changed"
}

# Keep the current and the previous venv; remove the others, and the files of a 0.1.0 venv in
# PREFIX once its copy is gone.
prune() {
  cur=$(linked "$PREFIX/current")
  prev=$(linked "$PREFIX/previous")
  adopted=0
  for dir in "$PREFIX"/venvs/* "$PREFIX"/venvs/.*.adopting; do
    [ -e "$dir" ] || continue
    rel=venvs/${dir##*/}
    if [ "$rel" = "$cur" ] || [ "$rel" = "$prev" ]; then
      [ ! -f "$dir/$ADOPTED_MARK" ] || adopted=1
      continue
    fi
    say "removing $dir (neither the current nor the previous version)"
    rm -rf "$dir"
  done
  if [ -f "$PREFIX/pyvenv.cfg" ] && [ "$adopted" = 0 ]; then
    say "removing the files of the first install's venv from $PREFIX"
    for item in "$PREFIX"/bin/*; do
      [ "$item" = "$PREFIX/bin/stt-engine" ] || rm -rf "$item"
    done
    rm -rf "$PREFIX/include" "$PREFIX/lib" "$PREFIX/lib64" "$PREFIX/share"
    rm -f "$PREFIX/pyvenv.cfg"
  fi
}

if [ "$MODELS_ONLY" = 0 ]; then
  BUILD=$(manifest 'next(f["sha256"][:12] for n, f in d["files"].items() if n.startswith("wheels/stt_engine-"))')
  ID=venvs/$VERSION-$BUILD
  NEW=$PREFIX/$ID
  take_lock
  mkdir -p "$PREFIX/venvs"
  adopt_legacy
  if complete "$ID"; then
    say "reusing the venv $NEW (this bundle's stt-engine $VERSION, checked before)"
  else
    install_venv
  fi
fi

mkdir -p "$MODELS_DIR"
for dir in "$HERE"/models/*/; do
  [ -d "$dir" ] || continue
  name=$(basename "$dir")
  if [ -d "$MODELS_DIR/$name" ] && cmp -s "$dir/stt-engine-model.json" "$MODELS_DIR/$name/stt-engine-model.json"; then
    say "model $name: already in $MODELS_DIR/$name"
    continue
  fi
  staging="$MODELS_DIR/.$name.installing"
  rm -rf "$staging"
  cp -R "$dir" "$staging"
  chmod -R a+rX "$staging"
  rm -rf "${MODELS_DIR:?}/$name"
  mv "$staging" "$MODELS_DIR/$name"
  say "model $name: placed in $MODELS_DIR/$name"
done

if [ "$MODELS_ONLY" = 1 ]; then
  say "models are in $MODELS_DIR; mount it at /app/models: docker run --gpus all -p 8003:8003 -v $MODELS_DIR:/app/models stt-engine:$VERSION-<flavour>"
  exit 0
fi

# Every stt-engine command of this venv reads its defaults from $ENV_FILE (the environment
# still wins); other lines a user added there are kept.
if [ ! -f "$ENV_FILE" ]; then
  printf '%s=%s\n' "$ENV_KEY" "$MODELS_DIR" >"$ENV_FILE"
  say "wrote $ENV_FILE ($ENV_KEY=$MODELS_DIR)"
elif [ "$RECORDED" = "$MODELS_DIR" ]; then
  say "keeping $ENV_FILE ($ENV_KEY=$MODELS_DIR)"
else
  { grep -v "^$ENV_KEY=" "$ENV_FILE" || true; printf '%s=%s\n' "$ENV_KEY" "$MODELS_DIR"; } >"$ENV_FILE.new"
  mv "$ENV_FILE.new" "$ENV_FILE"
  say "$ENV_FILE now says $ENV_KEY=$MODELS_DIR${RECORDED:+ (was $RECORDED; its models were left there)}; its other lines are kept"
fi
chmod a+r "$ENV_FILE"
sed "s#@PREFIX@#$PREFIX#g" "$HERE/deploy/stt-engine.service" >"$PREFIX/stt-engine.service"
cp "$PREFIX/stt-engine.service" "$PREFIX/$ID/stt-engine.service"  # the unit of this version
switch_to "$ID"
prune

cat <<EOF

stt-engine $VERSION is installed in $PREFIX (models in $MODELS_DIR, recorded in $ENV_FILE).
${PREVIOUS:+The version before stays in $PREFIX/previous ($PREVIOUS): a running server still runs it until
it is restarted (sudo systemctl restart stt-engine); ./install.sh --rollback --prefix $PREFIX returns to it.
}Start it in the foreground:
  $PREFIX/bin/stt-engine serve --host 0.0.0.0 --port 8003
or as a systemd service (unit written to $PREFIX/stt-engine.service):
  sudo cp $PREFIX/stt-engine.service /etc/systemd/system/stt-engine.service
  sudo systemctl daemon-reload && sudo systemctl enable --now stt-engine
Then prove that it transcribes:
  $PREFIX/bin/stt-engine check --url http://localhost:8003
EOF
